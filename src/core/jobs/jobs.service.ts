import { basename } from 'node:path';
import type { Compression, Job, JobPatch, JobSchedule, Repositories, RetentionPolicy, Run } from '../../ports/metadata-store.port.ts';
import { UNFINISHED_RUN_STATUSES } from '../../ports/metadata-store.port.ts';
import type { ScheduleCalculator } from '../../ports/schedule.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import { uniqueJobFolderName } from '../backup/backup-naming.ts';
import { assertNoFieldErrors, trimmed, type FieldErrors } from '../catalog/field-errors.ts';
import { DBackupError, isDBackupError } from '../errors.ts';
import { validateRetentionPolicy } from '../retention/retention-policy.ts';
import type { JobRunner } from './job-runner.ts';

export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'zstd'];
const RETENTION_FIELDS = ['keepLast', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** What the job form sends. Counts may arrive as numbers or (from a form) numeric text. */
export interface JobInput {
  name: string;
  sourceId: string;
  /** Required except for SQLite sources (default: the file's name, its one database). */
  database?: string;
  destinationIds: string[];
  /** Absent/null = manual runs only. `cron` may be a preset name (`daily`). */
  schedule?: { cron: string; timezone: string } | null;
  /** Default `gzip`. */
  compression?: string;
  encryptionProfileId?: string | null;
  retention?: Partial<Record<(typeof RETENTION_FIELDS)[number], number | string | null>>;
  /** Default true. */
  enabled?: boolean;
}

/** The latest run, as much as a list needs. */
export interface RunSummary {
  id: string;
  status: Run['status'];
  trigger: Run['trigger'];
  queuedAt: Date;
  startedAt?: Date;
  endedAt?: Date;
  errorMessage?: string;
}

export interface JobView extends Job {
  lastRun?: RunSummary;
  /** Next scheduled run; absent for manual-only or disabled jobs. */
  nextRunAt?: Date;
}

export interface JobsService {
  list(): Promise<JobView[]>;
  /** Throws `not_found`. */
  get(id: string): Promise<JobView>;
  /** Throws `invalid_input` with `details.fields`. */
  create(input: JobInput): Promise<JobView>;
  /** The folder name stays as it was (renaming a job does not move its backups). */
  update(id: string, input: JobInput): Promise<JobView>;
  /** Refused with `conflict` while a run is queued or running. Stored backups stay. */
  remove(id: string): Promise<void>;
  /** The next `count` (default 5) fire times. Throws `invalid_input` with `details.fields`. */
  preview(schedule: { cron: string; timezone: string }, count?: number): Date[];
  /** Queues a manual run (see JobRunner.enqueue for the errors). */
  runNow(id: string): Promise<Run>;
}

export interface JobsServiceOptions {
  store: Pick<Repositories, 'jobs' | 'runs' | 'sources' | 'destinations' | 'encryptionProfiles'>;
  runner: Pick<JobRunner, 'enqueue'>;
  schedule: ScheduleCalculator;
  /** Preset name → cron expression (hourly, daily, weekly, monthly). */
  presets: Readonly<Record<string, string>>;
  clock: Clock;
}

/** Backup jobs: validation, stable folder names, schedule previews, "run now". */
export function createJobsService(options: JobsServiceOptions): JobsService {
  const { store, schedule, clock } = options;

  async function load(id: string): Promise<Job> {
    const job = await store.jobs.get(id);
    if (!job) throw new DBackupError('not_found', 'No such job. It may have been deleted.');
    return job;
  }

  function nextRunOf(job: Job): Date | undefined {
    if (!job.enabled || !job.schedule) return undefined;
    try {
      return schedule.next(job.schedule.cron, job.schedule.timezone, clock.now(), 1)[0];
    } catch {
      return undefined;
    }
  }

  function view(job: Job, last: Run | undefined): JobView {
    const nextRunAt = nextRunOf(job);
    return { ...job, ...(last ? { lastRun: summarize(last) } : {}), ...(nextRunAt ? { nextRunAt } : {}) };
  }

  async function viewOne(job: Job): Promise<JobView> {
    const [last] = await store.runs.list({ jobId: job.id, limit: 1 });
    return view(job, last);
  }

  function checkSchedule(input: { cron: string; timezone: string }, errors: FieldErrors): JobSchedule | undefined {
    const cron = trimmed(input.cron);
    const timezone = trimmed(input.timezone) || 'UTC';
    if (cron === '') {
      errors.cron = 'Enter a cron expression or pick a preset.';
      return undefined;
    }
    const expression = options.presets[cron] ?? cron;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      errors.timezone = `Unknown time zone "${timezone}". Use an IANA name such as Europe/Berlin or UTC.`;
      return undefined;
    }
    try {
      schedule.validate(expression, timezone);
    } catch (error) {
      errors.cron = isDBackupError(error) ? error.message : String(error);
      return undefined;
    }
    return { cron: expression, timezone };
  }

  async function check(input: JobInput): Promise<Omit<Required<JobPatch>, 'folderName'>> {
    const errors: FieldErrors = {};
    const name = trimmed(input.name);
    if (name === '') errors.name = 'Name is required.';
    else if (name.length > 100) errors.name = 'Keep the name under 100 characters.';

    const source = input.sourceId ? await store.sources.get(input.sourceId) : undefined;
    if (!input.sourceId) errors.sourceId = 'Choose a source.';
    else if (!source) errors.sourceId = 'That source no longer exists. Choose another.';
    const database = trimmed(input.database);
    if (source && source.type !== 'sqlite' && database === '') errors.database = 'Choose the database to back up.';

    const destinationIds = [...new Set(input.destinationIds ?? [])];
    if (destinationIds.length === 0) errors.destinationIds = 'Choose at least one destination.';
    for (const id of destinationIds) {
      if (!(await store.destinations.get(id))) errors.destinationIds = 'A chosen destination no longer exists. Choose again.';
    }

    const jobSchedule = input.schedule ? checkSchedule(input.schedule, errors) : undefined;

    const compression = (trimmed(input.compression) || 'gzip') as Compression;
    if (!COMPRESSIONS.includes(compression)) errors.compression = 'Choose none, gzip or zstd.';

    const profileId = trimmed(input.encryptionProfileId ?? '') || undefined;
    if (profileId && !(await store.encryptionProfiles.get(profileId))) errors.encryptionProfileId = 'That encryption profile no longer exists. Choose another or none.';

    const retention: RetentionPolicy = {};
    for (const field of RETENTION_FIELDS) {
      const raw = input.retention?.[field];
      if (raw === undefined || raw === null || String(raw).trim() === '') continue;
      const value = typeof raw === 'number' ? raw : /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(value) || value < 0) errors[`retention.${field}`] = 'Enter a whole number of 0 or more, or leave it empty.';
      else if (value > 0) retention[field] = value;
    }
    if (retention.keepLast !== undefined && RETENTION_FIELDS.some((field) => field !== 'keepLast' && retention[field] !== undefined)) {
      errors.retention = 'Use either "keep last" or the daily/weekly/monthly/yearly counts, not both.';
    }
    assertNoFieldErrors(errors);
    validateRetentionPolicy(retention);

    return {
      name,
      sourceId: input.sourceId,
      // A SQLite source holds one database, named like its file (what its listDatabases reports).
      database: source?.type === 'sqlite' ? database || basename(source.sqlitePath ?? '') || null : database,
      destinationIds,
      schedule: jobSchedule ?? null,
      compression,
      encryptionProfileId: profileId ?? null,
      retention,
      enabled: input.enabled ?? true,
    };
  }

  return {
    async list() {
      const [jobs, latest] = await Promise.all([store.jobs.list(), store.runs.latestPerJob()]);
      const byJob = new Map(latest.map((run) => [run.jobId, run]));
      return jobs.map((job) => view(job, byJob.get(job.id)));
    },
    async get(id) {
      return viewOne(await load(id));
    },
    async create(input) {
      const clean = await check(input);
      const folders = (await store.jobs.list()).map((job) => job.folderName);
      const job = await store.jobs.create({
        ...clean,
        folderName: uniqueJobFolderName(clean.name, folders),
        database: clean.database ?? undefined,
        schedule: clean.schedule ?? undefined,
        encryptionProfileId: clean.encryptionProfileId ?? undefined,
      });
      return viewOne(job);
    },
    async update(id, input) {
      await load(id);
      return viewOne(await store.jobs.update(id, await check(input)));
    },
    async remove(id) {
      const job = await load(id);
      const [active] = await store.runs.list({ jobId: id, statuses: UNFINISHED_RUN_STATUSES, limit: 1 });
      if (active) throw new DBackupError('conflict', `Job "${job.name}" has a run in progress. Cancel it or wait for it to finish, then delete the job.`, { details: { runId: active.id } });
      await store.jobs.delete(id);
    },
    preview(input, count = 5) {
      const errors: FieldErrors = {};
      const checked = checkSchedule(input, errors);
      assertNoFieldErrors(errors);
      return schedule.next(checked!.cron, checked!.timezone, clock.now(), Math.min(Math.max(count, 1), 20));
    },
    async runNow(id) {
      await load(id);
      return options.runner.enqueue(id, 'manual');
    },
  };
}

export function summarize(run: Run): RunSummary {
  return {
    id: run.id,
    status: run.status,
    trigger: run.trigger,
    queuedAt: run.queuedAt,
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
    ...(run.errorMessage ? { errorMessage: run.errorMessage } : {}),
  };
}
