/**
 * The restore history: every restore DBackup started (web UI, API or CLI), with its outcome and log.
 * Every method may also throw `unavailable` when the database cannot be reached.
 */

export type RestoreStatus = 'running' | 'success' | 'failed' | 'cancelled' | 'interrupted';
export const RESTORE_STATUSES: readonly RestoreStatus[] = ['running', 'success', 'failed', 'cancelled', 'interrupted'];
export type RestoreStage = 'starting' | 'downloading' | 'checking' | 'restoring';

/** At most this many log lines are kept per restore: the first ones, and the latest in the last place. */
export const RESTORE_LOG_LIMIT = 200;

/** How the restore was asked to treat the target (see RestoreOptions of the source port). */
export interface RestoreTargetOptions {
  createDatabase: boolean;
  dropExisting: boolean;
  skipOwnership: boolean;
}

export interface RestoreRecord {
  id: string;
  /** The destination the backup was read from (it may have been deleted since). */
  destinationId: string;
  /** Key of the backup file under the destination root. */
  key: string;
  /** The source restored into, and its name at the time (it may have been renamed or deleted since). */
  sourceId: string;
  sourceName: string;
  /** The target database (for SQLite, the file name). */
  database: string;
  options: RestoreTargetOptions;
  status: RestoreStatus;
  stage: RestoreStage | undefined;
  /** Bytes of the current stage (downloaded bytes while downloading). */
  bytes: number;
  /** Size of the stored backup file, when known. */
  totalBytes: number | undefined;
  startedAt: Date;
  endedAt: Date | undefined;
  errorCode: string | undefined;
  /** User-facing; says what to do. */
  errorMessage: string | undefined;
  /** The process executing the restore (see ProcessOwnership). */
  owner: string | undefined;
}

export interface NewRestore {
  destinationId: string;
  key: string;
  sourceId: string;
  sourceName: string;
  database: string;
  options: RestoreTargetOptions;
  totalBytes?: number;
  owner?: string;
}

export interface RestorePatch {
  status?: RestoreStatus;
  stage?: RestoreStage | null;
  bytes?: number;
  endedAt?: Date | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export interface RestoreFilter {
  statuses?: readonly RestoreStatus[];
  /** Started strictly before (paging). */
  before?: Date;
  /** Default 50, newest first. */
  limit?: number;
}

export type RestoreLogLevel = 'info' | 'warn' | 'error';

export interface RestoreLogLine {
  restoreId: string;
  /** 1, 2, 3… per restore. */
  seq: number;
  at: Date;
  level: RestoreLogLevel;
  message: string;
}

export interface RestoresRepository {
  /** A new `running` restore at stage `starting`, started now, executed by the process `owner` names. */
  create(input: NewRestore): Promise<RestoreRecord>;
  get(id: string): Promise<RestoreRecord | undefined>;
  /** Newest first. */
  list(filter?: RestoreFilter): Promise<RestoreRecord[]>;
  /** Throws `not_found` for an unknown restore. */
  update(id: string, patch: RestorePatch): Promise<RestoreRecord>;
  /**
   * Appends a log line (the message passed through `redact()` first). Past RESTORE_LOG_LIMIT lines
   * the newest line replaces the last kept one, so the log stays bounded and still ends with the
   * outcome. Throws `not_found`.
   */
  appendLog(restoreId: string, level: RestoreLogLevel, message: string): Promise<RestoreLogLine>;
  /** The log lines of these restores, by restore, oldest first. */
  logs(restoreIds: readonly string[]): Promise<RestoreLogLine[]>;
  /**
   * Startup recovery: every `running` restore left by a process that ended (`abandoned` says
   * which) becomes `interrupted`, ended now, with `message(restore)` as its error (code
   * `interrupted`). Returns those restores as they are now, oldest first.
   */
  markRunningInterrupted(message: (restore: RestoreRecord) => string, abandoned: (restore: RestoreRecord) => boolean): Promise<RestoreRecord[]>;
  /** History retention: deletes the finished restores that ended before `endedBefore`, with their logs. Returns how many. */
  pruneFinished(endedBefore: Date): Promise<number>;
}
