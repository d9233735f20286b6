/**
 * Restores as recorded background operations (see createRestoreOperations); their public shapes
 * are in restore-operation.ts, the request checks in prepare-restore.ts.
 */
import type { Clock } from '../../ports/clock.port.ts';
import type { Destination } from '../../ports/destination.port.ts';
import {
  RESTORE_STATUSES,
  type DestinationRecord,
  type Repositories,
  type RestoreRecord,
  type RestoreStage,
  type RestoreStatus,
  type RestoreTargetOptions,
  type SourceRecord,
} from '../../ports/metadata-store.port.ts';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';
import { DBackupError, isDBackupError } from '../errors.ts';
import type { RestoreRequest } from '../restore/run-restore.ts';
import { prepareRestore } from './prepare-restore.ts';
import { recoverInterruptedRestores } from './recover-interrupted-restores.ts';
import type { RestoreHooks, RestoreInput, RestoreLogLine, RestoreOperation, RestoreOperations, RestoreWatch } from './restore-operation.ts';
import { createRestoreRecorder, type RestoreRecorder } from './restore-recorder.ts';
import { restoreViews } from './restore-views.ts';

export interface RestoreOperationsOptions {
  store: Pick<Repositories, 'destinations' | 'sources' | 'restores'>;
  openDestination: (record: DestinationRecord) => Destination;
  openSource: (record: SourceRecord) => DatabaseSource;
  /** Runs the restore use case (core/restore/run-restore.ts) with these hooks. */
  restore: (request: RestoreRequest, hooks: RestoreHooks) => Promise<void>;
  clock: Clock;
  /**
   * Names this process as the owner of its restores. With it, a restore found `running` whose
   * process has ended is marked interrupted as soon as it is read, not only at the next start.
   */
  ownership?: ProcessOwnership;
  /** Process log: history writes that failed, restores found interrupted. */
  log?: (level: 'info' | 'warn', message: string) => void;
}

/**
 * Restores as recorded background operations: the history (status, stage, bytes, log) is in the
 * store, written through as a restore goes (progress at most once a second), so it survives a
 * restart; the restores this process runs are also kept in memory, to cancel them.
 */
export function createRestoreOperations(options: RestoreOperationsOptions): RestoreOperations {
  const { store, clock } = options;
  const processLog = options.log ?? (() => undefined);
  const live = new Map<string, AbortController>();

  async function begin(input: RestoreInput, watch: RestoreWatch): Promise<{ id: string; recorder: RestoreRecorder; done: Promise<void> }> {
    const { fileName, destination, source, storage, target, size } = await prepareRestore(options, input);
    const targetOptions: RestoreTargetOptions = {
      createDatabase: input.createDatabase ?? false,
      dropExisting: input.dropExisting ?? false,
      skipOwnership: input.skipOwnership ?? false,
    };
    const record = await store.restores.create({
      destinationId: destination.id, key: input.key, sourceId: source.id, sourceName: source.name, database: target.database,
      options: targetOptions, totalBytes: size, owner: options.ownership?.self,
    });
    const controller = new AbortController();
    live.set(record.id, controller);
    const recorder = createRestoreRecorder({
      restores: store.restores,
      id: record.id,
      onError: (error) => processLog('warn', `Could not record the progress of restore ${record.id}: ${(error as Error)?.message ?? String(error)}`),
    });
    const log = (level: RestoreLogLine['level'], message: string) => {
      recorder.log(level, message);
      watch.onLog?.(level, message);
    };
    log('info', `Restoring ${fileName} from ${destination.name} into ${target.database} on ${source.name}${targetOptions.dropExisting ? ' (replacing existing data)' : ''}.`);
    if (targetOptions.skipOwnership && source.type === 'postgres') log('info', 'Ownership and privileges in the backup are skipped: the restored objects belong to the restoring user.');
    if (targetOptions.skipOwnership && (source.type === 'mysql' || source.type === 'mariadb')) log('info', 'Definers in the backup are skipped: the restoring user becomes the definer of views, routines, triggers and events.');

    const stop = () => controller.abort();
    watch.signal?.addEventListener('abort', stop, { once: true });
    if (watch.signal?.aborted) stop();
    let stage: RestoreStage = 'starting';
    const done = options
      .restore(
        { storage, key: input.key, target: options.openSource(target.record), database: target.database, options: targetOptions, signal: controller.signal },
        {
          log,
          onProgress: (progress) => {
            if (progress.stage !== stage) log('info', `${progress.stage[0]!.toUpperCase()}${progress.stage.slice(1)}…`);
            stage = progress.stage;
            recorder.progress(progress.stage, progress.bytes);
            watch.onProgress?.(progress);
          },
        },
      )
      .then(
        async () => {
          log('info', 'Restore finished successfully.');
          await recorder.finish({ status: 'success', stage: null, endedAt: clock.now() });
        },
        async (error: unknown) => {
          const failure = toRestoreError(error, controller.signal);
          log('error', failure.message);
          await recorder.finish({ status: failure.code === 'cancelled' ? 'cancelled' : 'failed', stage: null, endedAt: clock.now(), errorCode: failure.code, errorMessage: failure.message });
          throw failure;
        },
      )
      .finally(() => {
        live.delete(record.id);
        watch.signal?.removeEventListener('abort', stop);
      });
    return { id: record.id, recorder, done };
  }

  /**
   * When a restore read is `running` but its process has ended (a CLI restore killed while the
   * server runs), recovers every such restore now and returns true.
   */
  async function recoverAbandoned(records: RestoreRecord[]): Promise<boolean> {
    const { ownership } = options;
    if (ownership === undefined) return false;
    if (!records.some((record) => record.status === 'running' && !live.has(record.id) && ownership.hasEnded(record.owner))) return false;
    await recoverInterruptedRestores(store, ownership, processLog);
    return true;
  }

  async function load(id: string): Promise<RestoreRecord> {
    let record = await store.restores.get(id);
    if (record && (await recoverAbandoned([record]))) record = await store.restores.get(id);
    if (!record) throw new DBackupError('not_found', 'No such restore. The restore history lists the ones DBackup recorded.');
    return record;
  }

  const views = (records: RestoreRecord[]) => restoreViews(store, records);
  const view = async (record: RestoreRecord): Promise<RestoreOperation> => (await views([record]))[0]!;

  return {
    async start(input) {
      const { id, recorder, done } = await begin(input, {});
      done.catch(() => undefined); // the outcome is recorded; nobody awaits a background restore
      await recorder.flush();
      return view(await load(id));
    },
    async run(input, watch = {}) {
      const { id, done } = await begin(input, watch);
      await done;
      return view(await load(id));
    },
    async get(id) {
      return view(await load(id));
    },
    async list(filter = {}) {
      if (filter.status !== undefined && filter.status !== '' && !RESTORE_STATUSES.includes(filter.status as RestoreStatus)) {
        throw new DBackupError('invalid_input', `Unknown restore status "${filter.status}". Use one of: ${RESTORE_STATUSES.join(', ')}.`, { details: { fields: { status: 'Unknown status.' } } });
      }
      const query = {
        ...(filter.status ? { statuses: [filter.status as RestoreStatus] } : {}),
        ...(filter.before ? { before: filter.before } : {}),
        limit: Math.min(Math.max(filter.limit ?? 50, 1), 500),
      };
      let records = await store.restores.list(query);
      if (await recoverAbandoned(records)) records = await store.restores.list(query);
      return views(records);
    },
    async cancel(id) {
      const controller = live.get(id);
      if (controller) {
        controller.abort();
        return view(await load(id));
      }
      const record = await load(id);
      if (record.status === 'running' && options.ownership !== undefined) {
        throw new DBackupError('conflict', 'This restore is running in another DBackup process that is still running (for example `npx dbackup restore`); it can only be cancelled there (Ctrl-C in that terminal).', { details: { restoreId: id } });
      }
      return view(record);
    },
  };
}

function toRestoreError(error: unknown, signal: AbortSignal): DBackupError {
  if (signal.aborted || isDBackupError(error, 'cancelled')) return new DBackupError('cancelled', 'The restore was cancelled.', { cause: error });
  if (isDBackupError(error)) return error;
  return new DBackupError('internal', `The restore failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
