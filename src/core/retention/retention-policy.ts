import { DBackupError } from '../errors.ts';

/**
 * How many backups a job keeps per destination. `keepLast` keeps the N newest; the calendar counts
 * keep the newest backup of each of the N most recent days / ISO weeks / months / years that have
 * a backup (grandfather-father-son). A backup kept by any rule is kept. An empty policy keeps all.
 */
export interface RetentionPolicy {
  keepLast?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  /** IANA zone whose calendar the day/week/month/year buckets follow. Default UTC. */
  timeZone?: string;
}

export interface RetainedCandidate {
  key: string;
  takenAt: Date;
}

export interface RetentionDecision<T extends RetainedCandidate> {
  keep: T[];
  remove: T[];
}

const COUNT_FIELDS = ['keepLast', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** Throws `invalid_input` for negative or fractional counts and unknown time zones. */
export function validateRetentionPolicy(policy: RetentionPolicy): void {
  for (const field of COUNT_FIELDS) {
    const value = policy[field];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new DBackupError('invalid_input', `Retention "${field}" must be a whole number of 0 or more, got ${value}.`);
    }
  }
  if (policy.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: policy.timeZone });
    } catch (cause) {
      throw new DBackupError('invalid_input', `Unknown time zone "${policy.timeZone}" in the retention policy. Use an IANA name such as Europe/Berlin.`, { cause });
    }
  }
}

export function isKeepAllPolicy(policy: RetentionPolicy): boolean {
  return COUNT_FIELDS.every((field) => !policy[field]);
}

/**
 * Splits backups into those to keep and those to remove. `protectedKeys` (the backup just made)
 * are always kept whatever the policy says.
 */
export function applyRetention<T extends RetainedCandidate>(
  backups: readonly T[],
  policy: RetentionPolicy,
  protectedKeys: ReadonlySet<string> = new Set(),
): RetentionDecision<T> {
  validateRetentionPolicy(policy);
  if (isKeepAllPolicy(policy)) return { keep: [...backups], remove: [] };

  const newestFirst = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  const kept = new Set<T>(newestFirst.filter((backup) => protectedKeys.has(backup.key)));
  newestFirst.slice(0, policy.keepLast ?? 0).forEach((backup) => kept.add(backup));

  const calendar = calendarOf(policy.timeZone ?? 'UTC');
  const bucketRules: Array<[number | undefined, (at: Date) => string]> = [
    [policy.daily, calendar.day],
    [policy.weekly, calendar.isoWeek],
    [policy.monthly, calendar.month],
    [policy.yearly, calendar.year],
  ];
  for (const [count, bucketOf] of bucketRules) {
    if (!count) continue;
    const seenBuckets = new Set<string>();
    for (const backup of newestFirst) {
      if (seenBuckets.size >= count) break;
      const bucket = bucketOf(backup.takenAt);
      if (seenBuckets.has(bucket)) continue;
      seenBuckets.add(bucket);
      kept.add(backup);
    }
  }
  return {
    keep: newestFirst.filter((backup) => kept.has(backup)),
    remove: newestFirst.filter((backup) => !kept.has(backup)),
  };
}

function calendarOf(timeZone: string) {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const parts = (at: Date) => {
    const byType = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
    return { year: Number(byType.year), month: Number(byType.month), day: Number(byType.day) };
  };
  return {
    day: (at: Date) => { const p = parts(at); return `${p.year}-${p.month}-${p.day}`; },
    month: (at: Date) => { const p = parts(at); return `${p.year}-${p.month}`; },
    year: (at: Date) => `${parts(at).year}`,
    isoWeek: (at: Date) => { const p = parts(at); return isoWeekOf(p.year, p.month, p.day); },
  };
}

/** ISO-8601 week label (`2024-W03`) of a calendar date. */
function isoWeekOf(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}
