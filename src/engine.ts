/**
 * The backup engine's wiring: turns stored records (sources, destinations, profiles) into the
 * adapters the core use cases run on, and assembles the job runner, scheduler and restore.
 * Part of the composition root (used by app.ts and the CLI); no logic beyond choosing adapters.
 */
import { basename, join } from 'node:path';
import { createBackupTransforms } from './adapters/backup-transforms.ts';
import { keyTools } from './adapters/crypto/key-tools.ts';
import { createDropboxDestination } from './adapters/destinations/dropbox/dropbox.destination.ts';
import type { FetchLike } from './adapters/destinations/dropbox/dropbox-fetch.ts';
import { createLocalDestination } from './adapters/destinations/local/local.destination.ts';
import { createWebhookNotifier } from './adapters/notifications/webhook.notifier.ts';
import { createCronerSchedule } from './adapters/schedule/croner.schedule.ts';
import { createLocalProcessOwnership } from './adapters/process/local-process-ownership.ts';
import { createLocalScratchSpace } from './adapters/scratch/local-scratch.ts';
import { ensureProcessTempDir, removeAbandonedTempDirs } from './adapters/scratch/process-temp-dirs.ts';
import { createMysqlSource } from './adapters/sources/mysql/mysql.source.ts';
import { createPostgresSource } from './adapters/sources/postgres/postgres.source.ts';
import { createSqliteSource } from './adapters/sources/sqlite/sqlite.source.ts';
import { tlsOfOptions } from './core/catalog/source-tls.ts';
import { createEncryptionProfilesService, type EncryptionProfilesService } from './core/encryption/encryption-profiles.service.ts';
import { DBackupError } from './core/errors.ts';
import { recoverInterruptedRestores } from './core/explorer/recover-interrupted-restores.ts';
import type { RestoreOperations } from './core/explorer/restore-operation.ts';
import { createRestoreOperations } from './core/explorer/restore-operations.ts';
import type { JobResources, ResolveJobResources } from './core/jobs/job-resources.ts';
import { createJobRunner, type JobRunner } from './core/jobs/job-runner.ts';
import { createScheduler, type Scheduler } from './core/jobs/scheduler.ts';
import { createHistoryRetention, DEFAULT_HISTORY_DAYS, type HistoryRetention } from './core/history/history-retention.ts';
import { createRunNotifications, type RunNotifications } from './core/notifications/run-notifications.ts';
import { runRestore } from './core/restore/run-restore.ts';
import { createStorage } from './core/storage.ts';
import type { BackupTransforms } from './ports/backup-transforms.port.ts';
import type { Clock } from './ports/clock.port.ts';
import type { Destination } from './ports/destination.port.ts';
import type { DestinationRecord, MetadataStore, RestoreRecord, Run, SourceRecord } from './ports/metadata-store.port.ts';
import type { Notifier } from './ports/notifier.port.ts';
import type { ScheduleCalculator } from './ports/schedule.port.ts';
import type { ProcessOwnership } from './ports/process-ownership.port.ts';
import type { ScratchSpace } from './ports/scratch.port.ts';
import type { DatabaseSource } from './ports/source.port.ts';

export interface EngineOptions {
  store: MetadataStore;
  dataDir: string;
  clock: Clock;
  appVersion: string;
  dropboxApiUrl?: string;
  dropboxFetch?: FetchLike;
  log?: (level: 'info' | 'warn', message: string) => void;
  maxConcurrentRuns?: number;
  watchdogSeconds?: number;
  /** Who this process is, for runs and temporary files (default: this OS process). */
  ownership?: ProcessOwnership;
  /** PUBLIC_URL, for links to runs in notifications (default http://localhost:3000). */
  publicUrl?: string;
  /** Delivers webhook notifications (default: the fetch-based webhook notifier). */
  notifier?: Notifier;
  /** Days finished runs and restores stay in the history (default DEFAULT_HISTORY_DAYS; 0 = forever). */
  historyDays?: number;
}

export interface Engine {
  transforms: BackupTransforms;
  schedule: ScheduleCalculator;
  scratch: ScratchSpace;
  profiles: EncryptionProfilesService;
  runner: JobRunner;
  scheduler: Scheduler;
  /** A destination record as a storage facade-wrapped adapter. */
  openDestination(record: DestinationRecord): Destination;
  openSource(record: SourceRecord): DatabaseSource;
  resolveJob: ResolveJobResources;
  /** Restores of stored backups (core/restore/run-restore.ts), recorded: history, progress, cancel. */
  restores: RestoreOperations;
  /** Webhook notifications when runs end; `sendTest` for the settings page. */
  notifications: RunNotifications;
  /** Old runs and restores leave the history (core/history/history-retention.ts). */
  history: HistoryRetention;
  /**
   * Startup: interrupted runs and restores, stale scratch files, missed schedules. Then the
   * scheduler ticks and history retention prunes daily (both skipped with `scheduler: false`).
   */
  start(options?: { scheduler?: boolean }): Promise<{ interrupted: Run[]; missed: Run[]; interruptedRestores: RestoreRecord[] }>;
  stop(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const { store, clock } = options;
  const log = options.log ?? ((level, message) => (level === 'warn' ? console.warn(message) : console.log(message)));
  const transforms = createBackupTransforms();
  const schedule = createCronerSchedule();
  // Private temporary files (restore downloads, SQLite snapshots) live under the data directory,
  // in a folder per process, so startup can clear what a killed process left there and nothing
  // of a live one (a CLI backup beside the server).
  const ownership = options.ownership ?? createLocalProcessOwnership();
  const tmpRoot = join(options.dataDir, 'tmp');
  const tmpDir = ensureProcessTempDir(tmpRoot, ownership);
  const scratch = createLocalScratchSpace(tmpDir);
  const profiles = createEncryptionProfilesService({ store, keys: keyTools, clock });

  const openDestination = (record: DestinationRecord): Destination => {
    if (record.type === 'local') return createStorage(createLocalDestination({ basePath: String(record.config.basePath ?? '') }));
    return createStorage(createDropboxDestination(
      {
        appKey: record.secrets.appKey?.reveal() ?? '',
        appSecret: record.secrets.appSecret?.reveal() ?? '',
        refreshToken: record.secrets.refreshToken?.reveal() ?? '',
        folderPath: String(record.config.folderPath ?? ''),
      },
      { apiBaseUrl: options.dropboxApiUrl, fetch: options.dropboxFetch },
    ));
  };

  const openSource = (record: SourceRecord): DatabaseSource => {
    if (record.type === 'sqlite') return createSqliteSource({ path: record.sqlitePath ?? '' }, { tempDir: tmpDir });
    const server = {
      host: record.host ?? '127.0.0.1', port: record.port, user: record.username ?? '', password: record.password?.reveal(), tls: tlsOfOptions(record.options),
    };
    // The dump tools' option and CA files live in this process's temporary folder too.
    switch (record.type) {
      case 'postgres': return createPostgresSource(server, { tempDir: tmpDir });
      case 'mysql':
      case 'mariadb': return createMysqlSource({ ...server, engine: record.type }, { tempDir: tmpDir });
    }
  };

  const resolveJob: ResolveJobResources = async (job): Promise<JobResources> => {
    const sourceRecord = await store.sources.get(job.sourceId);
    if (!sourceRecord) throw new DBackupError('not_found', `The source of job "${job.name}" no longer exists. Edit the job and choose a source.`);
    const targets = await Promise.all(job.destinationIds.map(async (id) => {
      const record = await store.destinations.get(id);
      if (!record) throw new DBackupError('not_found', `A destination of job "${job.name}" no longer exists. Edit the job's destinations.`);
      return { id, name: record.name, storage: openDestination(record) };
    }));
    const database = job.database ?? (sourceRecord.type === 'sqlite' ? sqliteDatabaseName(sourceRecord) : undefined);
    if (!database) throw new DBackupError('invalid_input', `Job "${job.name}" names no database. Edit the job and pick one.`);
    return {
      source: openSource(sourceRecord),
      sourceType: sourceRecord.type,
      database,
      targets,
      encryption: job.encryptionProfileId ? await profiles.keyOf(job.encryptionProfileId) : undefined,
    };
  };

  const notifications = createRunNotifications({
    store,
    notifier: options.notifier ?? createWebhookNotifier({ userAgent: `DBackup/${options.appVersion}` }),
    publicUrl: options.publicUrl ?? 'http://localhost:3000',
    appVersion: options.appVersion,
    log,
  });
  const runner = createJobRunner({
    store, resolve: resolveJob, transforms, clock, appVersion: options.appVersion,
    maxConcurrentRuns: options.maxConcurrentRuns, watchdogSeconds: options.watchdogSeconds, ownership, log,
    onRunEnded: (runId) => notifications.runEnded(runId),
  });
  const scheduler = createScheduler({ store, runner, schedule, clock, log });
  const restores = createRestoreOperations({
    store, openDestination, openSource, clock, ownership, log,
    restore: (request, hooks) => runRestore(request, { transforms, scratch, keyForFingerprint: profiles.keyForFingerprint, ...hooks }),
  });

  const history = createHistoryRetention({ store, clock, keepDays: options.historyDays ?? DEFAULT_HISTORY_DAYS, log });

  return {
    transforms, schedule, scratch, profiles, runner, scheduler, restores, notifications, history, openDestination, openSource, resolveJob,
    async start(startOptions = {}) {
      await removeAbandonedTempDirs(tmpRoot, ownership);
      const interrupted = await runner.recoverAbandonedRuns();
      const interruptedRestores = await recoverInterruptedRestores(store, ownership, log);
      const missed = startOptions.scheduler === false ? [] : await scheduler.start();
      if (startOptions.scheduler !== false) history.start();
      // Missed schedules are recorded as interrupted runs: a backup that did not happen.
      missed.forEach((run) => notifications.runEnded(run.id));
      return { interrupted, missed, interruptedRestores };
    },
    async stop() {
      scheduler.stop();
      await history.stop();
      // Deliveries in flight finish (bounded by the notifier's timeout and retries), so a CLI
      // backup that failed still gets its notification out before the process exits.
      await notifications.settled();
    },
  };
}

/** A SQLite source holds one database, named by its file's base name (see the SQLite source). */
export function sqliteDatabaseName(record: SourceRecord): string | undefined {
  return record.sqlitePath ? basename(record.sqlitePath) : undefined;
}
