/**
 * Jobs, their runs with logs, and the index of stored backups.
 * Every method may also throw `unavailable` when the database cannot be reached.
 */
import type { CompressionKind } from '../../core/backup/backup-naming.ts';
import type { RetentionPolicy as CalendarRetentionPolicy } from '../../core/retention/retention-policy.ts';

export type Compression = CompressionKind;

/**
 * What to keep after a successful backup; all absent = keep everything. Stored as JSON. The
 * calendar buckets follow the job's schedule time zone, so none is stored here.
 */
export type RetentionPolicy = Omit<CalendarRetentionPolicy, 'timeZone'>;

export interface JobSchedule {
  /** Cron expression (croner syntax). */
  cron: string;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  timezone: string;
}

export interface Job {
  id: string;
  name: string;
  /** Folder under each destination's root; unique across jobs, compared case-insensitively. */
  folderName: string;
  sourceId: string;
  /** Database to dump; `undefined` for SQLite sources (the file is the database). */
  database: string | undefined;
  /** In the order given. At least one for a runnable job. */
  destinationIds: string[];
  /** `undefined` = manual runs only. */
  schedule: JobSchedule | undefined;
  compression: Compression;
  encryptionProfileId: string | undefined;
  retention: RetentionPolicy;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewJob {
  name: string;
  folderName: string;
  sourceId: string;
  database?: string;
  destinationIds: string[];
  schedule?: JobSchedule;
  /** Default `gzip`. */
  compression?: Compression;
  encryptionProfileId?: string;
  retention?: RetentionPolicy;
  /** Default true. */
  enabled?: boolean;
}

export interface JobPatch {
  name?: string;
  folderName?: string;
  sourceId?: string;
  database?: string | null;
  destinationIds?: string[];
  schedule?: JobSchedule | null;
  compression?: Compression;
  encryptionProfileId?: string | null;
  retention?: RetentionPolicy;
  enabled?: boolean;
}

export interface JobsRepository {
  /**
   * Throws `conflict` (details.conflictingJob) when another job's folder name equals `folderName`
   * ignoring case, and `not_found` when the source, a destination or the profile does not exist.
   */
  create(input: NewJob): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  /** Case-insensitive. */
  findByFolderName(folderName: string): Promise<Job | undefined>;
  /** Ordered by name. */
  list(): Promise<Job[]>;
  /** Same errors as `create`, plus `not_found` for an unknown job. */
  update(id: string, patch: JobPatch): Promise<Job>;
  /** Removes the job with its runs and logs; indexed backups stay (job id cleared). False if absent. */
  delete(id: string): Promise<boolean>;
}

export type RunStatus = 'queued' | 'running' | 'success' | 'partial' | 'failed' | 'cancelled' | 'interrupted';
export const UNFINISHED_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running'];
export type RunTrigger = 'manual' | 'schedule';

export interface DestinationResult {
  destinationId: string;
  status: 'pending' | 'success' | 'failed';
  /** Key of the stored backup file, when written. */
  key?: string;
  bytes?: number;
  errorCode?: string;
  errorMessage?: string;
}

export interface Run {
  id: string;
  jobId: string;
  status: RunStatus;
  trigger: RunTrigger;
  /** Free text such as `dumping`, `uploading`, `retention`. */
  stage: string | undefined;
  /** Bytes processed so far (of the dump, before compression). */
  bytes: number;
  /** Bytes per second, when known. */
  rate: number | undefined;
  etaSeconds: number | undefined;
  queuedAt: Date;
  startedAt: Date | undefined;
  endedAt: Date | undefined;
  errorCode: string | undefined;
  /** User-facing; says what to do. */
  errorMessage: string | undefined;
  destinationResults: DestinationResult[];
  /** File name of the backup this run produced (same under every destination). */
  backupKey: string | undefined;
  /** The process executing the run (see ProcessOwnership); undefined for runs recorded before owners were kept. */
  owner: string | undefined;
}

export interface RunPatch {
  status?: RunStatus;
  stage?: string | null;
  bytes?: number;
  rate?: number | null;
  etaSeconds?: number | null;
  startedAt?: Date | null;
  endedAt?: Date | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  destinationResults?: DestinationResult[];
  backupKey?: string | null;
}

export interface RunFilter {
  jobId?: string;
  statuses?: readonly RunStatus[];
  /** Queued at or after. */
  since?: Date;
  /** Queued strictly before (paging). */
  before?: Date;
  /** Default 50, newest first. */
  limit?: number;
}

export type RunLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RunLogLine {
  /** 1, 2, 3… per run. */
  seq: number;
  at: Date;
  level: RunLogLevel;
  message: string;
}

export interface RunsRepository {
  /** A new `queued` run, executed by the process `owner` names. Throws `not_found` for an unknown job. */
  create(input: { jobId: string; trigger: RunTrigger; owner?: string }): Promise<Run>;
  get(id: string): Promise<Run | undefined>;
  list(filter?: RunFilter): Promise<Run[]>;
  /** The most recent run of every job that has one (dashboard). */
  latestPerJob(): Promise<Run[]>;
  /** Throws `not_found` for an unknown run. */
  update(id: string, patch: RunPatch): Promise<Run>;
  /** Appends a log line; the message is passed through `redact()` first. Throws `not_found`. */
  appendLog(runId: string, level: RunLogLevel, message: string): Promise<RunLogLine>;
  /** Lines with `seq > afterSeq` (default 0), oldest first, at most `limit` (default 1000). */
  logs(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<RunLogLine[]>;
  /**
   * Startup recovery: every `queued` or `running` run left by a process that ended (`abandoned`
   * says which; default: all) becomes `interrupted`, ended now, with `message` as its error.
   * Returns those runs as they are now.
   */
  markUnfinishedRunsInterrupted(message?: string, abandoned?: (run: Run) => boolean): Promise<Run[]>;
  /**
   * History retention: deletes the finished runs that ended before `endedBefore`, with their logs,
   * except each job's most recent run (the dashboard's last result). Indexed backups stay (their
   * run id is cleared). Returns how many runs were deleted.
   */
  pruneFinished(endedBefore: Date): Promise<number>;
}

export interface BackupRecord {
  id: string;
  destinationId: string;
  /** Key of the backup file under the destination root (`job-folder/backup_….sql.gz.enc`). */
  key: string;
  jobId: string | undefined;
  runId: string | undefined;
  size: number;
  /** When the backup was taken (the sidecar's start time). */
  createdAt: Date;
  sha256: string | undefined;
  contentHash: string | undefined;
  compression: Compression;
  encryptionProfileId: string | undefined;
  verifiedAt: Date | undefined;
  /** Extra facts (e.g. sidecar fields); stored as JSON. */
  meta: Record<string, unknown>;
}

export interface NewBackup {
  destinationId: string;
  key: string;
  jobId?: string;
  runId?: string;
  size: number;
  createdAt: Date;
  sha256?: string;
  contentHash?: string;
  compression: Compression;
  encryptionProfileId?: string;
  meta?: Record<string, unknown>;
}

export interface BackupsRepository {
  /** Inserts, or replaces the entry with the same destination and key. Throws `not_found` for unknown references. */
  record(input: NewBackup): Promise<BackupRecord>;
  get(id: string): Promise<BackupRecord | undefined>;
  findByKey(destinationId: string, key: string): Promise<BackupRecord | undefined>;
  /** Newest first. */
  list(filter?: { jobId?: string; destinationId?: string; limit?: number }): Promise<BackupRecord[]>;
  /** Records a successful verification now. A missing entry is ignored. */
  markVerified(id: string): Promise<void>;
  /** Removes the entry; false when there was none. */
  delete(destinationId: string, key: string): Promise<boolean>;
}
