import type { Clock } from '../../ports/clock.port.ts';
import type { Job, Repositories, Run } from '../../ports/metadata-store.port.ts';
import type { ScheduleCalculator } from '../../ports/schedule.port.ts';
import { DBackupError } from '../errors.ts';
import { summarize, type RunSummary } from '../jobs/jobs.service.ts';

export interface DashboardJob {
  id: string;
  name: string;
  enabled: boolean;
  lastRun?: RunSummary;
  nextRunAt?: Date;
}

/** Backup outcomes of one calendar day (in the requested time zone). */
export interface OutcomeDay {
  /** `YYYY-MM-DD`. */
  day: string;
  success: number;
  partial: number;
  failed: number;
}

export interface SizePoint {
  at: Date;
  /** Stored bytes (after compression and encryption). */
  storedBytes: number;
  /** Bytes of the dump before compression. */
  dumpBytes: number;
}

export interface JobSizeSeries {
  jobId: string;
  jobName: string;
  points: SizePoint[];
}

export interface Dashboard {
  jobs: DashboardJob[];
  /** One entry per day of the window, oldest first, days without runs included as zeros. */
  outcomes: OutcomeDay[];
  /** Per job, successful (or partial) backups of the window, oldest first. */
  sizes: JobSizeSeries[];
  /** Runs queued or running now. */
  active: number;
  timeZone: string;
  days: number;
}

export interface DashboardService {
  /** Throws `invalid_input` for an unknown time zone. */
  get(options?: { timeZone?: string; days?: number }): Promise<Dashboard>;
}

export interface DashboardServiceOptions {
  store: Pick<Repositories, 'jobs' | 'runs'>;
  schedule: ScheduleCalculator;
  clock: Clock;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The figures behind the home page: each job at a glance, outcomes per day, backup size per job. */
export function createDashboardService(options: DashboardServiceOptions): DashboardService {
  const { store, clock } = options;

  const nextRunOf = (job: Job): Date | undefined => {
    if (!job.enabled || !job.schedule) return undefined;
    try {
      return options.schedule.next(job.schedule.cron, job.schedule.timezone, clock.now(), 1)[0];
    } catch {
      return undefined;
    }
  };

  return {
    async get({ timeZone = 'UTC', days = 30 } = {}) {
      const dayOf = dayFormatter(timeZone);
      const window = Math.min(Math.max(Math.trunc(days), 1), 366);
      const now = clock.now();
      const since = new Date(now.getTime() - window * DAY_MS);
      const [jobs, latest, runs] = await Promise.all([
        store.jobs.list(),
        store.runs.latestPerJob(),
        store.runs.list({ since, limit: 100_000 }),
      ]);
      const lastByJob = new Map(latest.map((run) => [run.jobId, run]));

      const outcomes = emptyDays(now, window, dayOf);
      const byDay = new Map(outcomes.map((entry) => [entry.day, entry]));
      const sizes = new Map<string, SizePoint[]>();
      for (const run of runs) {
        const at = run.endedAt ?? run.queuedAt;
        const entry = byDay.get(dayOf(at));
        if (entry && (run.status === 'success' || run.status === 'partial')) entry[run.status] += 1;
        else if (entry && (run.status === 'failed' || run.status === 'interrupted')) entry.failed += 1;
        if (run.status === 'success' || run.status === 'partial') {
          const stored = run.destinationResults.find((result) => result.status === 'success' && result.bytes !== undefined)?.bytes;
          const points = sizes.get(run.jobId) ?? [];
          points.push({ at, storedBytes: stored ?? run.bytes, dumpBytes: run.bytes });
          sizes.set(run.jobId, points);
        }
      }

      return {
        jobs: jobs.map((job) => {
          const last = lastByJob.get(job.id);
          const nextRunAt = nextRunOf(job);
          return { id: job.id, name: job.name, enabled: job.enabled, ...(last ? { lastRun: summarize(last) } : {}), ...(nextRunAt ? { nextRunAt } : {}) };
        }),
        outcomes,
        sizes: jobs
          .filter((job) => sizes.has(job.id))
          .map((job) => ({ jobId: job.id, jobName: job.name, points: sizes.get(job.id)!.sort((a, b) => a.at.getTime() - b.at.getTime()) })),
        active: runs.filter((run: Run) => run.status === 'queued' || run.status === 'running').length,
        timeZone,
        days: window,
      };
    },
  };
}

function dayFormatter(timeZone: string): (at: Date) => string {
  let format: Intl.DateTimeFormat;
  try {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch (cause) {
    throw new DBackupError('invalid_input', `Unknown time zone "${timeZone}". Use an IANA name such as Europe/Berlin or UTC.`, { cause });
  }
  return (at) => format.format(at);
}

/** The last `days` calendar days up to today, oldest first, all zero. */
function emptyDays(now: Date, days: number, dayOf: (at: Date) => string): OutcomeDay[] {
  const result: OutcomeDay[] = [];
  const seen = new Set<string>();
  for (let i = days - 1; i >= 0; i--) {
    const day = dayOf(new Date(now.getTime() - i * DAY_MS));
    if (seen.has(day)) continue;
    seen.add(day);
    result.push({ day, success: 0, partial: 0, failed: 0 });
  }
  return result;
}
