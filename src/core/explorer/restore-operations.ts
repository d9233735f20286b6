import { basename, dirname, extname, join } from 'node:path';
import type { Clock } from '../../ports/clock.port.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { DestinationRecord, Repositories, SourceRecord } from '../../ports/metadata-store.port.ts';
import type { DatabaseSource, RestoreOptions } from '../../ports/source.port.ts';
import { sidecarKeyFor } from '../backup/backup-naming.ts';
import { parseSidecar } from '../backup/sidecar.ts';
import { assertNoFieldErrors, trimmed, type FieldErrors } from '../catalog/field-errors.ts';
import { DBackupError, isDBackupError } from '../errors.ts';
import type { RestoreRequest } from '../restore/run-restore.ts';
import { requireBackupKey } from './backup-keys.ts';

export type RestoreStage = 'starting' | 'downloading' | 'checking' | 'restoring';

export interface RestoreLogLine {
  at: Date;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** A restore in progress or finished, as the UI polls it. */
export interface RestoreOperation {
  id: string;
  destinationId: string;
  key: string;
  sourceId: string;
  sourceName: string;
  database: string;
  status: 'running' | 'success' | 'failed' | 'cancelled';
  stage?: RestoreStage;
  /** Bytes of the current stage (downloaded bytes while downloading). */
  bytes: number;
  /** Size of the stored file, when known. */
  totalBytes?: number;
  startedAt: Date;
  endedAt?: Date;
  error?: { code: string; message: string };
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

export interface RestoreOperations {
  /**
   * Checks the request, then starts the restore in the background and returns its operation.
   * Throws `invalid_input` (with `details.fields`) and `not_found` before starting.
   */
  start(input: RestoreInput): Promise<RestoreOperation>;
  /** Throws `not_found` for an unknown (or long finished) operation. */
  get(id: string): RestoreOperation;
  /** Newest first. */
  list(): RestoreOperation[];
  /** Stops a running restore (the source removes a database it created); finished ones are returned unchanged. */
  cancel(id: string): RestoreOperation;
}

export type RestoreHooks = {
  log: (level: 'info' | 'warn', message: string) => void;
  onProgress: (progress: { stage: 'downloading' | 'checking' | 'restoring'; bytes: number }) => void;
};

export interface RestoreOperationsOptions {
  store: Pick<Repositories, 'destinations' | 'sources'>;
  openDestination: (record: DestinationRecord) => Destination;
  openSource: (record: SourceRecord) => DatabaseSource;
  /** Runs the restore use case (core/restore/run-restore.ts) with these hooks. */
  restore: (request: RestoreRequest, hooks: RestoreHooks) => Promise<void>;
  clock: Clock;
  /** Finished operations kept for polling. Default 50. */
  keepFinished?: number;
}

const DATABASE_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_$.-]{0,62}$/u;

/** Restores as tracked background operations (kept in memory: they matter while someone watches). */
export function createRestoreOperations(options: RestoreOperationsOptions): RestoreOperations {
  const { store, clock } = options;
  const operations = new Map<string, { operation: RestoreOperation; controller: AbortController }>();
  let counter = 0;

  const snapshot = (operation: RestoreOperation): RestoreOperation => ({ ...operation, log: [...operation.log] });

  function prune(): void {
    const finished = [...operations.values()].filter((entry) => entry.operation.status !== 'running');
    const excess = finished.length - (options.keepFinished ?? 50);
    for (const entry of finished.slice(0, Math.max(excess, 0))) operations.delete(entry.operation.id);
  }

  function find(id: string) {
    const entry = operations.get(id);
    if (!entry) throw new DBackupError('not_found', 'No such restore. Finished restores are kept only until DBackup restarts.');
    return entry;
  }

  return {
    async start(input) {
      const errors: FieldErrors = {};
      const parts = requireBackupKey(input.key);
      const destination = await store.destinations.get(input.destinationId);
      if (!destination) throw new DBackupError('not_found', 'No such destination. It may have been deleted.');
      const source = input.sourceId ? await store.sources.get(input.sourceId) : undefined;
      if (!source) errors.sourceId = input.sourceId ? 'That source no longer exists. Choose another.' : 'Choose the source to restore into.';
      const storage = options.openDestination(destination);
      const requested = trimmed(input.database);
      if (requested !== '' && !DATABASE_NAME.test(requested)) errors.database = 'Use letters, digits, "_", "-", "." or "$" (at most 63 characters), starting with a letter, digit or "_".';
      assertNoFieldErrors(errors);
      const stat = await storage.stat(input.key);
      if (!stat) throw new DBackupError('not_found', `${input.key} is not there any more. Refresh the list.`);

      const sidecar = await storage.readText(sidecarKeyFor(input.key)).then((text) => parseSidecar(text, sidecarKeyFor(input.key)), (error: unknown) => {
        if (isDBackupError(error, 'not_found')) return undefined;
        throw error;
      });
      const target = restoreTarget(source!, requested || undefined, sidecar?.database);
      if (sidecar && engineFamily(sidecar.source.type) !== engineFamily(source!.type)) {
        assertNoFieldErrors({ sourceId: `This backup is a ${sidecar.source.type} dump; choose a ${sidecar.source.type} source to restore it into.` });
      }

      const operation: RestoreOperation = {
        id: `restore-${Date.now().toString(36)}-${(++counter).toString(36)}`,
        destinationId: destination.id, key: input.key, sourceId: source!.id, sourceName: source!.name, database: target.database,
        status: 'running', stage: 'starting', bytes: 0, totalBytes: stat.size, startedAt: clock.now(), log: [],
      };
      const controller = new AbortController();
      operations.set(operation.id, { operation, controller });
      const log = (level: RestoreLogLine['level'], message: string) => operation.log.push({ at: clock.now(), level, message });
      log('info', `Restoring ${parts.fileName} from ${destination.name} into ${target.database} on ${source!.name}${input.dropExisting ? ' (replacing existing data)' : ''}.`);

      const restoreOptions: Omit<RestoreOptions, 'signal'> = {
        createDatabase: input.createDatabase ?? false,
        dropExisting: input.dropExisting ?? false,
        skipOwnership: input.skipOwnership ?? false,
      };
      if (restoreOptions.skipOwnership) log('info', 'Ownership and privileges in the backup are skipped: the restored objects belong to the restoring user.');
      void options
        .restore(
          { storage, key: input.key, target: options.openSource(target.record), database: target.database, options: restoreOptions, signal: controller.signal },
          {
            log,
            onProgress: ({ stage, bytes }) => {
              if (operation.stage !== stage) log('info', `${stage[0]!.toUpperCase()}${stage.slice(1)}…`);
              operation.stage = stage;
              operation.bytes = bytes;
            },
          },
        )
        .then(
          () => {
            operation.status = 'success';
            log('info', 'Restore finished successfully.');
          },
          (error: unknown) => {
            const failure = isDBackupError(error) ? error : new DBackupError('internal', `The restore failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, { cause: error });
            const cancelled = controller.signal.aborted || failure.code === 'cancelled';
            operation.status = cancelled ? 'cancelled' : 'failed';
            operation.error = cancelled ? { code: 'cancelled', message: 'The restore was cancelled.' } : { code: failure.code, message: failure.message };
            log('error', operation.error.message);
          },
        )
        .finally(() => {
          operation.endedAt = clock.now();
          operation.stage = undefined;
          prune();
        });
      return snapshot(operation);
    },
    get(id) {
      return snapshot(find(id).operation);
    },
    list() {
      return [...operations.values()].map((entry) => snapshot(entry.operation)).reverse();
    },
    cancel(id) {
      const entry = find(id);
      if (entry.operation.status === 'running') entry.controller.abort();
      return snapshot(entry.operation);
    },
  };
}

/** MySQL and MariaDB dumps restore into each other; other engines only into themselves. */
function engineFamily(type: string): string {
  return type === 'mariadb' ? 'mysql' : type;
}

/**
 * The record to open and the database name to restore into. A SQLite source is one file whose one
 * database is named like the file (`app.sqlite`); a new name means a new file in the same folder
 * (`copy` → `copy.sqlite`, keeping the source file's extension when the name has none).
 */
export function restoreTarget(source: SourceRecord, requested: string | undefined, backedUp: string | undefined): { record: SourceRecord; database: string } {
  if (source.type !== 'sqlite') {
    const database = requested ?? backedUp;
    if (!database) assertNoFieldErrors({ database: 'Enter the name of the database to restore into.' });
    return { record: source, database: database! };
  }
  const path = source.sqlitePath ?? '';
  const own = basename(path);
  if (!requested || requested === own) return { record: source, database: own };
  const fileName = extname(requested) ? requested : `${requested}${extname(path) || '.sqlite'}`;
  return { record: { ...source, sqlitePath: join(dirname(path), fileName) }, database: fileName };
}
