/** Emulator time: the wall clock plus an offset that the control API can move forward. */
export interface Clock {
  now(): number;
  offsetSeconds(): number;
  setOffsetSeconds(seconds: number): void;
}

export function createClock(): Clock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    offsetSeconds: () => offsetMs / 1000,
    setOffsetSeconds(seconds) {
      offsetMs = Math.round(seconds * 1000);
    },
  };
}

/** Dropbox timestamp format `%Y-%m-%dT%H:%M:%SZ` (UTC, no fractional seconds). */
export function dropboxTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
