import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import { createCronerSchedule } from '../../adapters/schedule/croner.schedule.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { Job, MetadataStore } from '../../ports/metadata-store.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { createStorage } from '../storage.ts';
import type { ResolveJobResources } from './job-resources.ts';
import { createJobRunner, type JobRunnerOptions } from './job-runner.ts';
import { recoverAfterRestart } from './recover-after-restart.ts';
import { createScheduler, SCHEDULER_HEARTBEAT_KEY } from './scheduler.ts';
import { openTempStore } from '../../test-support/temp-store.ts';

let dir: string;
let store: MetadataStore;
let now: Date;
const clock = { now: () => now };
let dispose: () => Promise<void>;

beforeEach(async () => {
  now = new Date('2024-01-16T12:00:00Z');
  ({ dir, store, dispose } = await openTempStore('dbk-jobs-'));
});
afterEach(() => dispose());

interface Fixture { job: Job; folders: string[]; storages: Destination[] }

async function fixture(options: { destinations?: number; retention?: Job['retention'] } = {}): Promise<Fixture> {
  const source = await store.sources.create({ type: 'postgres', name: 'db', host: '127.0.0.1', username: 'postgres' });
  const folders: string[] = [];
  const destinationIds: string[] = [];
  for (let i = 0; i < (options.destinations ?? 1); i++) {
    const basePath = join(dir, `dest-${i}`);
    folders.push(basePath);
    destinationIds.push((await store.destinations.create({ type: 'local', name: `disk ${i}`, config: { basePath } })).id);
  }
  const job = await store.jobs.create({ name: 'Nightly', folderName: 'nightly', sourceId: source.id, database: 'shop', destinationIds, compression: 'gzip', retention: options.retention });
  return { job, folders, storages: folders.map((basePath) => createStorage(createLocalDestination({ basePath }))) };
}

function resolverFor(fx: Fixture, source: () => DatabaseSource, storages: Destination[] = fx.storages): ResolveJobResources {
  return async (job) => ({
    source: source(),
    sourceType: 'postgres',
    database: job.database ?? 'shop',
    targets: job.destinationIds.map((id, i) => ({ id, name: `disk ${i}`, storage: storages[i]! })),
  });
}

function runner(fx: Fixture, source: () => DatabaseSource, extra: Partial<JobRunnerOptions> = {}) {
  return createJobRunner({ store, resolve: resolverFor(fx, source), transforms: createBackupTransforms(), clock, appVersion: 'test', ...extra });
}

const filesUnder = async (folder: string) => (await readdir(folder, { recursive: true }).catch(() => [] as string[])).filter((name) => name.includes('backup_')).sort();

describe('job runner', () => {
  it('runs a backup, records it, and keeps a log', async () => {
    const fx = await fixture();
    const jobs = runner(fx, () => createGeneratedSource(200_000));
    const queued = await jobs.enqueue(fx.job.id, 'manual');
    expect(queued.status).toBe('queued');
    await jobs.idle();

    const run = (await store.runs.get(queued.id))!;
    expect(run.status).toBe('success');
    expect(run.bytes).toBe(200_000);
    expect(run.backupKey).toBe('nightly/backup_2024-01-16T12-00-00.sql.gz');
    expect(await filesUnder(fx.folders[0]!)).toEqual(['nightly/backup_2024-01-16T12-00-00.sql.gz', 'nightly/backup_2024-01-16T12-00-00.sql.gz.meta.json']);
    expect((await store.backups.list({ jobId: fx.job.id })).map((b) => b.key)).toEqual([run.backupKey]);
    expect((await store.runs.logs(run.id)).map((line) => line.message).join('\n')).toMatch(/Run finished: success/);
  });

  it('allows one run per job at a time', async () => {
    const fx = await fixture();
    const jobs = runner(fx, () => createGeneratedSource(100_000));
    await jobs.enqueue(fx.job.id, 'manual');
    await expect(jobs.enqueue(fx.job.id, 'manual')).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/already has a run in progress/) });
    await jobs.idle();
    await expect(jobs.enqueue(fx.job.id, 'manual')).resolves.toMatchObject({ status: 'queued' });
    await jobs.idle();
  });

  it('sees a run another DBackup process has in progress', async () => {
    const fx = await fixture();
    const other = await store.runs.create({ jobId: fx.job.id, trigger: 'manual' });
    await store.runs.update(other.id, { status: 'running' });
    await expect(runner(fx, () => createGeneratedSource(1)).enqueue(fx.job.id, 'manual')).rejects.toThrow(/started by another DBackup process/);
  });

  describe('a run left unfinished by another process', () => {
    /** Owners named 'gone:…' belong to processes that have ended; every other owner is alive. */
    const ownership = { self: 'this-process', hasEnded: (owner: string | undefined) => owner?.startsWith('gone:') ?? true };

    async function unfinishedRun(fx: Fixture, owner: string, backupKey?: string) {
      const run = await store.runs.create({ jobId: fx.job.id, trigger: 'manual', owner });
      return store.runs.update(run.id, { status: 'running', stage: 'uploading', ...(backupKey ? { backupKey } : {}) });
    }

    it('is recovered on "Run now" when its process has ended, half-made file and all', async () => {
      const fx = await fixture();
      const halfMade = 'nightly/backup_2024-01-15T12-00-00.sql.gz';
      await mkdir(join(fx.folders[0]!, 'nightly'), { recursive: true });
      await writeFile(join(fx.folders[0]!, halfMade), 'partial bytes, no sidecar');
      const dead = await unfinishedRun(fx, 'gone:1234', halfMade);
      const jobs = runner(fx, () => createGeneratedSource(10_000), { ownership });

      const queued = await jobs.enqueue(fx.job.id, 'manual');
      await jobs.idle();

      expect(await store.runs.get(dead.id)).toMatchObject({ status: 'interrupted', errorMessage: expect.stringMatching(/DBackup stopped while this run was in progress/) });
      expect((await store.runs.get(queued.id))?.status).toBe('success');
      expect(await filesUnder(fx.folders[0]!)).toEqual(['nightly/backup_2024-01-16T12-00-00.sql.gz', 'nightly/backup_2024-01-16T12-00-00.sql.gz.meta.json']);
      expect((await store.runs.logs(dead.id)).map((line) => line.message).join('\n')).toMatch(/Removed the incomplete nightly\/backup_2024-01-15T12-00-00\.sql\.gz/);
    });

    it('still blocks the job while its process is alive, and cannot be cancelled from here', async () => {
      const fx = await fixture();
      const alive = await unfinishedRun(fx, 'cli:99');
      const jobs = runner(fx, () => createGeneratedSource(1), { ownership });
      await expect(jobs.enqueue(fx.job.id, 'manual')).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/another DBackup process that is still running/) });
      await expect(jobs.cancel(alive.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/can only be cancelled there/) });
      expect((await store.runs.get(alive.id))?.status).toBe('running');
    });

    it('is marked interrupted by "Cancel" when its process has ended', async () => {
      const fx = await fixture();
      const dead = await unfinishedRun(fx, 'gone:77');
      await runner(fx, () => createGeneratedSource(1), { ownership }).cancel(dead.id);
      expect((await store.runs.get(dead.id))?.status).toBe('interrupted');
    });
  });

  it('reports partial when one destination fails, naming it', async () => {
    const fx = await fixture({ destinations: 2 });
    const broken: Destination = { ...fx.storages[1]!, write: () => Promise.reject(new Error('bucket gone')) };
    const jobs = createJobRunner({ store, resolve: resolverFor(fx, () => createGeneratedSource(50_000), [fx.storages[0]!, createStorage(broken)]), transforms: createBackupTransforms(), clock, appVersion: 'test' });
    const queued = await jobs.enqueue(fx.job.id, 'manual');
    await jobs.idle();
    const run = (await store.runs.get(queued.id))!;
    expect(run.status).toBe('partial');
    expect(run.destinationResults.map((r) => r.status)).toEqual(['success', 'failed']);
    expect(run.errorMessage).toMatch(/bucket gone/);
  });

  it('cancels a running backup and keeps nothing', async () => {
    const fx = await fixture();
    let cancel: () => void = () => undefined;
    const jobs = runner(fx, () => createGeneratedSource(10_000_000, { stallAfter: 500_000, onStall: () => cancel() }));
    const queued = await jobs.enqueue(fx.job.id, 'manual');
    cancel = () => void jobs.cancel(queued.id);
    await jobs.idle();
    expect((await store.runs.get(queued.id))!.status).toBe('cancelled');
    expect(await filesUnder(fx.folders[0]!)).toEqual([]);
  });

  it('stops a run that makes no progress, saying so', async () => {
    const fx = await fixture();
    const jobs = runner(fx, () => createGeneratedSource(10_000_000, { stallAfter: 100_000 }), { watchdogSeconds: 0.3 });
    const queued = await jobs.enqueue(fx.job.id, 'manual');
    await jobs.idle();
    const run = (await store.runs.get(queued.id))!;
    expect(run.status).toBe('failed');
    expect(run.errorMessage).toMatch(/No progress for/);
    expect(await filesUnder(fx.folders[0]!)).toEqual([]);
  });

  it('applies retention after a successful run', async () => {
    const fx = await fixture({ retention: { keepLast: 1 } });
    const jobs = runner(fx, () => createGeneratedSource(10_000));
    await jobs.enqueue(fx.job.id, 'manual');
    await jobs.idle();
    now = new Date('2024-01-17T12:00:00Z');
    await jobs.enqueue(fx.job.id, 'manual');
    await jobs.idle();
    expect(await filesUnder(fx.folders[0]!)).toEqual(['nightly/backup_2024-01-17T12-00-00.sql.gz', 'nightly/backup_2024-01-17T12-00-00.sql.gz.meta.json']);
    expect((await store.backups.list({ jobId: fx.job.id })).map((b) => b.key)).toEqual(['nightly/backup_2024-01-17T12-00-00.sql.gz']);
  });
});

describe('after a restart', () => {
  it('marks unfinished runs interrupted and removes the file they left without a sidecar', async () => {
    const fx = await fixture();
    const run = await store.runs.create({ jobId: fx.job.id, trigger: 'manual' });
    await store.runs.update(run.id, { status: 'running', backupKey: 'nightly/backup_2024-01-16T12-00-00.sql.gz' });
    await mkdir(join(fx.folders[0]!, 'nightly'), { recursive: true });
    await writeFile(join(fx.folders[0]!, 'nightly/backup_2024-01-16T12-00-00.sql.gz'), 'half');

    const recovered = await recoverAfterRestart(store, resolverFor(fx, () => createGeneratedSource(0)), () => undefined);
    expect(recovered.map((r) => r.status)).toEqual(['interrupted']);
    expect(await filesUnder(fx.folders[0]!)).toEqual([]);
  });
});

describe('scheduler', () => {
  it('queues a job when its schedule fires', async () => {
    const fx = await fixture();
    await store.jobs.update(fx.job.id, { schedule: { cron: '0 * * * *', timezone: 'UTC' } });
    const queuedJobs: string[] = [];
    const scheduler = createScheduler({ store, runner: { enqueue: async (jobId) => { queuedJobs.push(jobId); return {} as never; } }, schedule: createCronerSchedule(), clock, log: () => undefined });
    now = new Date('2024-01-16T12:30:00Z');
    await scheduler.start();
    scheduler.stop();
    now = new Date('2024-01-16T12:59:00Z');
    await scheduler.tick();
    expect(queuedJobs).toEqual([]);
    now = new Date('2024-01-16T13:00:10Z');
    await scheduler.tick();
    expect(queuedJobs).toEqual([fx.job.id]);
  });

  it('reports schedules missed while DBackup was down', async () => {
    const fx = await fixture();
    await store.jobs.update(fx.job.id, { schedule: { cron: '0 2 * * *', timezone: 'UTC' } });
    await store.settings.set(SCHEDULER_HEARTBEAT_KEY, '2024-01-13T12:00:00.000Z');
    const scheduler = createScheduler({ store, runner: { enqueue: async () => ({}) as never }, schedule: createCronerSchedule(), clock, log: () => undefined });
    const missed = await scheduler.start();
    scheduler.stop();
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ status: 'interrupted', jobId: fx.job.id });
    expect(missed[0]!.errorMessage).toMatch(/Missed 3 scheduled runs/);
  });
});
