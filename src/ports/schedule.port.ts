/** Cron arithmetic, supplied by an adapter so the core stays free of a cron library. */
export interface ScheduleCalculator {
  /** Throws `invalid_input` naming the problem for a bad expression or an unknown time zone. */
  validate(cron: string, timeZone: string): void;
  /** Fire times strictly after `after` and at or before `until`, oldest first, at most `limit`. */
  between(cron: string, timeZone: string, after: Date, until: Date, limit?: number): Date[];
  /** The next `count` fire times after `from`. */
  next(cron: string, timeZone: string, from: Date, count: number): Date[];
}
