import type { BackupTransforms } from '../../ports/backup-transforms.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';
import { UNFINISHED_RUN_STATUSES, type DestinationResult, type Job, type Repositories, type Run, type RunTrigger } from '../../ports/metadata-store.port.ts';
import { applyRetentionOnDestination } from '../backup/apply-retention.ts';
import { runBackup, type BackupOutcome } from '../backup/run-backup.ts';
import { DBackupError, isDBackupError } from '../errors.ts';
import type { ResolveJobResources } from './job-resources.ts';
import { recoverAfterRestart } from './recover-after-restart.ts';
import { progressFigures } from './run-progress.ts';

export interface JobRunnerOptions {
  store: Pick<Repositories, 'jobs' | 'runs' | 'backups'>;
  resolve: ResolveJobResources;
  transforms: BackupTransforms;
  clock: Clock;
  appVersion: string;
  /** Runs in progress at once across all jobs. Default 2. */
  maxConcurrentRuns?: number;
  /** A run that moves no byte for this long is stopped. Default 600 s. */
  watchdogSeconds?: number;
  /**
   * Names this process as the owner of the runs it queues, so another process starting up leaves
   * them alone. With it, a run left unfinished by a process that has ended is recovered (marked
   * interrupted, its half-made files removed) as soon as "Run now" or "Cancel" meets it, instead
   * of blocking its job until DBackup restarts.
   */
  ownership?: ProcessOwnership;
  /** Process log for such recoveries (the run's own log gets the details too). */
  log?: (level: 'info' | 'warn', message: string) => void;
  /**
   * Called once a run has ended and its outcome is stored (also for runs this runner recovers as
   * interrupted), e.g. to send notifications. Must not throw or block: the runner does not wait.
   */
  onRunEnded?: (runId: string) => void;
}

export interface JobRunner {
  /**
   * Queues a run and returns it at once. Throws `conflict` when the job already has a run queued or
   * in progress (one at a time per job), `invalid_input` when the job is disabled for a scheduled
   * run or has no destination, and `not_found` for an unknown job.
   */
  enqueue(jobId: string, trigger: RunTrigger): Promise<Run>;
  /** Cancels a queued or running run; cancelling a finished or unknown run is a no-op. */
  cancel(runId: string): Promise<void>;
  /** Resolves when nothing is queued or running (tests, shutdown). */
  idle(): Promise<void>;
  /**
   * Startup recovery (see recover-after-restart.ts): runs whose process has ended become
   * `interrupted` and their half-made files are removed; each is reported to `onRunEnded`.
   */
  recoverAbandonedRuns(): Promise<Run[]>;
}

interface ActiveRun {
  runId: string;
  jobId: string;
  controller: AbortController;
}

/**
 * Executes backup runs: queueing with one run per job and a global limit, progress and logs in
 * the run record, cancellation, a no-progress watchdog, backup indexing and retention after success.
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, clock } = options;
  const maxConcurrent = options.maxConcurrentRuns ?? 2;
  const watchdogMs = (options.watchdogSeconds ?? 600) * 1000;
  const queue: ActiveRun[] = [];
  const running = new Map<string, ActiveRun>();
  let idleWaiters: Array<() => void> = [];

  const log = (runId: string, level: 'info' | 'warn' | 'error', message: string) => {
    void store.runs.appendLog(runId, level, message).catch(() => undefined);
  };

  function pump(): void {
    while (running.size < maxConcurrent && queue.length > 0) {
      const next = queue.shift()!;
      running.set(next.runId, next);
      void execute(next).finally(() => {
        running.delete(next.runId);
        pump();
      });
    }
    if (running.size === 0 && queue.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  async function execute(active: ActiveRun): Promise<void> {
    const { runId, controller } = active;
    const startedAt = clock.now();
    let lastBytes = 0;
    let lastMoveAt = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - lastMoveAt > watchdogMs) {
        controller.abort(new DBackupError('transient', `No progress for ${Math.round(watchdogMs / 1000)} s: the database or a destination stopped responding. The run was stopped; check both and run it again.`));
      }
    }, Math.min(watchdogMs, 5000));
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      const job = await requireJob(active.jobId);
      await store.runs.update(runId, { status: 'running', stage: 'preparing', startedAt });
      const resources = await options.resolve(job);
      const expected = await previousDumpSize(job.id);
      let lastSave = 0;
      await store.runs.update(runId, { stage: 'dumping' });
      const outcome = await runBackup(
        { job, source: resources.source, sourceType: resources.sourceType, database: resources.database, targets: resources.targets, encryption: resources.encryption, signal: controller.signal },
        {
          transforms: options.transforms,
          clock,
          appVersion: options.appVersion,
          log: (level, message) => log(runId, level, message),
          onPlanned: async (key) => { await store.runs.update(runId, { backupKey: key }); },
          onProgress: ({ dumpBytes }) => {
            if (dumpBytes !== lastBytes) { lastBytes = dumpBytes; lastMoveAt = Date.now(); }
            if (Date.now() - lastSave < 1000) return;
            lastSave = Date.now();
            const figures = progressFigures(dumpBytes, clock.now().getTime() - startedAt.getTime(), expected);
            void store.runs.update(runId, { bytes: dumpBytes, rate: figures.rate ?? null, etaSeconds: figures.etaSeconds ?? null }).catch(() => undefined);
          },
        },
      );
      await finish(runId, job, outcome, resources.targets.map((t) => t.name), controller.signal);
    } catch (error) {
      const failure = toRunError(error, controller.signal);
      log(runId, 'error', failure.message);
      await store.runs.update(runId, {
        status: failure.code === 'cancelled' ? 'cancelled' : 'failed',
        stage: null,
        endedAt: clock.now(),
        errorCode: failure.code,
        errorMessage: failure.message,
      }).catch(() => undefined);
    } finally {
      clearInterval(watchdog);
    }
    ended(runId);
  }

  function ended(runId: string): void {
    try {
      options.onRunEnded?.(runId);
    } catch {
      // A listener's failure must never change or hold up the run.
    }
  }

  async function finish(runId: string, job: Job, outcome: BackupOutcome, targetNames: string[], signal: AbortSignal): Promise<void> {
    const results: DestinationResult[] = outcome.results.map((result) => ({
      destinationId: result.targetId,
      status: result.status,
      key: result.status === 'success' ? result.key : undefined,
      bytes: result.status === 'success' ? outcome.sidecar?.storedSize : undefined,
      errorCode: result.error?.code,
      errorMessage: result.error?.message,
    }));
    const succeeded = outcome.results.filter((result) => result.status === 'success');
    if (outcome.sidecar) {
      for (const result of succeeded) {
        await store.backups.record({
          destinationId: result.targetId, key: result.key, jobId: job.id, runId, size: outcome.sidecar.storedSize,
          createdAt: outcome.startedAt, sha256: outcome.sidecar.sha256, contentHash: outcome.sidecar.contentHash,
          compression: outcome.sidecar.compression, encryptionProfileId: outcome.sidecar.encryption?.profileId,
          meta: { sidecar: outcome.sidecar },
        });
      }
    }
    if (succeeded.length > 0) {
      await store.runs.update(runId, { stage: 'retention' });
      const resources = await options.resolve(job);
      for (const result of succeeded) {
        const target = resources.targets.find((t) => t.id === result.targetId);
        if (!target) continue;
        try {
          const retention = await applyRetentionOnDestination(target.storage, job.folderName, { ...job.retention, timeZone: job.schedule?.timezone }, result.key, (level, message) => log(runId, level, message), signal);
          for (const removed of retention.removed) await store.backups.delete(target.id, removed);
        } catch (error) {
          log(runId, 'warn', `Retention on ${target.name} failed: ${(error as Error).message}`);
        }
      }
    }
    const failures = outcome.results.filter((result) => result.status === 'failed');
    outcome.results.forEach((result, index) => {
      if (result.status === 'failed') log(runId, 'error', `${targetNames[index] ?? result.targetId}: ${result.error?.message ?? 'failed'}`);
    });
    const status = failures.length === 0 ? 'success' : succeeded.length > 0 ? 'partial' : outcome.error?.code === 'cancelled' ? 'cancelled' : 'failed';
    const firstError = outcome.error ?? failures[0]?.error;
    await store.runs.update(runId, {
      status,
      stage: null,
      endedAt: clock.now(),
      bytes: outcome.sidecar?.originalSize,
      rate: null,
      etaSeconds: null,
      destinationResults: results,
      errorCode: status === 'success' ? null : firstError?.code ?? null,
      errorMessage: status === 'success' ? null : firstError?.message ?? null,
    });
    log(runId, status === 'success' ? 'info' : 'warn', `Run finished: ${status}.`);
  }

  /**
   * When `run`'s process has ended, runs the startup recovery now (for every abandoned run, not
   * only this one) and returns true; false when its process is alive or ownership is unknown.
   */
  async function recoverIfAbandoned(run: Run): Promise<boolean> {
    const { ownership } = options;
    if (ownership === undefined || !ownership.hasEnded(run.owner)) return false;
    await recoverAbandonedRuns();
    return true;
  }

  async function recoverAbandonedRuns(): Promise<Run[]> {
    const interrupted = await recoverAfterRestart(store, options.resolve, options.log ?? (() => undefined), options.ownership);
    interrupted.forEach((recovered) => ended(recovered.id));
    return interrupted;
  }

  async function requireJob(jobId: string): Promise<Job> {
    const job = await store.jobs.get(jobId);
    if (!job) throw new DBackupError('not_found', `Job ${jobId} no longer exists.`);
    return job;
  }

  async function previousDumpSize(jobId: string): Promise<number | undefined> {
    const [last] = await store.runs.list({ jobId, statuses: ['success'], limit: 1 });
    return last?.bytes || undefined;
  }

  return {
    async enqueue(jobId, trigger) {
      const job = await requireJob(jobId);
      if (!job.enabled && trigger === 'schedule') throw new DBackupError('invalid_input', `Job "${job.name}" is disabled; enable it to run it on schedule.`);
      if (job.destinationIds.length === 0) throw new DBackupError('invalid_input', `Job "${job.name}" has no destination. Add one, then run it again.`);
      const busy = [...queue, ...running.values()].find((active) => active.jobId === jobId);
      if (busy) {
        throw new DBackupError('conflict', `Job "${job.name}" already has a run in progress (${busy.runId}). Wait for it to finish or cancel it.`, { details: { runId: busy.runId } });
      }
      // Another process (the CLI beside the server) may be running this job too, or may have died
      // while running it: then the run is recovered here and no longer blocks the job.
      let [elsewhere] = await store.runs.list({ jobId, statuses: UNFINISHED_RUN_STATUSES, limit: 1 });
      if (elsewhere && (await recoverIfAbandoned(elsewhere))) [elsewhere] = await store.runs.list({ jobId, statuses: UNFINISHED_RUN_STATUSES, limit: 1 });
      if (elsewhere) {
        throw new DBackupError('conflict', `Job "${job.name}" already has a run in progress (${elsewhere.id}), started by another DBackup process that is still running (for example \`npx dbackup backup\`). Wait for it to finish, or stop that process.`, { details: { runId: elsewhere.id } });
      }
      const run = await store.runs.create({ jobId, trigger, owner: options.ownership?.self });
      queue.push({ runId: run.id, jobId, controller: new AbortController() });
      await store.runs.appendLog(run.id, 'info', `Queued (${trigger}).`);
      queueMicrotask(pump);
      return run;
    },
    async cancel(runId) {
      const queuedIndex = queue.findIndex((active) => active.runId === runId);
      if (queuedIndex >= 0) {
        const [removed] = queue.splice(queuedIndex, 1);
        removed?.controller.abort();
        await store.runs.update(runId, { status: 'cancelled', endedAt: clock.now(), errorCode: 'cancelled', errorMessage: 'Cancelled before it started.' });
        pump();
        return;
      }
      const active = running.get(runId);
      if (active) {
        active.controller.abort();
        return;
      }
      // Not this process's run: recover it if its process has ended; a live one must be stopped there.
      const run = await store.runs.get(runId);
      if (!run || !UNFINISHED_RUN_STATUSES.includes(run.status) || options.ownership === undefined) return;
      if (await recoverIfAbandoned(run)) return;
      throw new DBackupError('conflict', `Run ${runId} belongs to another DBackup process that is still running (for example \`npx dbackup backup\`); it can only be cancelled there (Ctrl-C in that terminal).`, { details: { runId } });
    },
    recoverAbandonedRuns,
    idle() {
      if (running.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

function toRunError(error: unknown, signal: AbortSignal): DBackupError {
  if (signal.aborted && isDBackupError(signal.reason)) return signal.reason;
  if (signal.aborted) return new DBackupError('cancelled', 'The run was cancelled.', { cause: error });
  if (isDBackupError(error)) return error;
  return new DBackupError('internal', `The run failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
