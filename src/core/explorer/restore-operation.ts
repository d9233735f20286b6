/**
 * What restores look like to their callers (web UI and REST API, CLI): the request, the recorded
 * operation with its log, and the service that starts, watches, lists and cancels them
 * (implemented in restore-operations.ts).
 */
import type { RestoreStage, RestoreStatus, RestoreTargetOptions } from '../../ports/metadata-store.port.ts';

export type { RestoreStage, RestoreStatus, RestoreTargetOptions };

export interface RestoreLogLine {
  at: Date;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** A restore in progress or finished, as the UI polls it and the restore history lists it. */
export interface RestoreOperation {
  id: string;
  destinationId: string;
  /** The destination's current name; "(deleted destination)" once it is gone. */
  destinationName: string;
  key: string;
  sourceId: string;
  /** The source's name when the restore started. */
  sourceName: string;
  database: string;
  options: RestoreTargetOptions;
  /** `interrupted`: the process running it ended mid-way; the target database may be incomplete. */
  status: RestoreStatus;
  stage?: RestoreStage;
  /** Bytes of the current stage (downloaded bytes while downloading). */
  bytes: number;
  /** Size of the stored file, when known. */
  totalBytes?: number;
  startedAt: Date;
  endedAt?: Date;
  error?: { code: string; message: string };
  /** The process executing the restore (host, process id, start time). */
  owner?: string;
  log: RestoreLogLine[];
}

export interface RestoreInput {
  destinationId: string;
  key: string;
  /** The source to restore into: the one the backup came from or another of the same engine. */
  sourceId: string;
  /**
   * Target database; default the backed-up database's name. For SQLite a name other than the
   * source file's own means a new file beside it (`<name>.sqlite`).
   */
  database?: string;
  createDatabase?: boolean;
  dropExisting?: boolean;
  /** PostgreSQL: restore without the backup's ownership and privileges (see RestoreOptions). */
  skipOwnership?: boolean;
}

export type RestoreHooks = {
  log: (level: 'info' | 'warn', message: string) => void;
  onProgress: (progress: { stage: 'downloading' | 'checking' | 'restoring'; bytes: number }) => void;
};

/** For a caller that waits for the restore in the foreground (the CLI). */
export interface RestoreWatch {
  /** Cancels the restore when it fires (Ctrl-C). */
  signal?: AbortSignal;
  onProgress?: RestoreHooks['onProgress'];
  onLog?: (level: RestoreLogLine['level'], message: string) => void;
}

export interface RestoreListFilter {
  status?: string;
  /** Restores started strictly before this time (paging). */
  before?: Date;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface RestoreOperations {
  /**
   * Checks the request, records the restore, starts it in the background and returns it.
   * Throws `invalid_input` (with `details.fields`) and `not_found` before starting.
   */
  start(input: RestoreInput): Promise<RestoreOperation>;
  /**
   * Like `start`, then waits: resolves with the finished restore, or rejects with its error
   * (`cancelled` when `watch.signal` fired). Recorded in the history either way.
   */
  run(input: RestoreInput, watch?: RestoreWatch): Promise<RestoreOperation>;
  /** With its log. Throws `not_found` for an unknown restore. */
  get(id: string): Promise<RestoreOperation>;
  /** Newest first, with their logs. Throws `invalid_input` for an unknown status. */
  list(filter?: RestoreListFilter): Promise<RestoreOperation[]>;
  /**
   * Stops a running restore (the source removes a database it created); finished ones are
   * returned unchanged. Throws `conflict` for a restore another live DBackup process is running.
   */
  cancel(id: string): Promise<RestoreOperation>;
}
