/** Time source of the core; tests pass a controllable clock instead of the wall clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
