import { expect, it } from 'vitest';
import type { MetadataStore } from '../../../ports/metadata-store.port.ts';
import { rejection, type StoreHarness } from './harness.ts';

async function fixtures(store: MetadataStore) {
  const source = await store.sources.create({ type: 'postgres', name: 'prod', host: 'db' });
  const local = await store.destinations.create({ type: 'local', name: 'disk', config: { basePath: '/b' } });
  const dropbox = await store.destinations.create({ type: 'dropbox', name: 'dropbox' });
  return { source, local, dropbox };
}

export function jobsSuite(h: () => StoreHarness): void {
  it('jobs: round-trip with ordered destinations, schedule, retention and defaults', async () => {
    const { store } = h();
    const { source, local, dropbox } = await fixtures(store);
    const job = await store.jobs.create({
      name: 'Nightly app',
      folderName: 'nightly-app',
      sourceId: source.id,
      database: 'app',
      destinationIds: [dropbox.id, local.id],
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' },
      retention: { keepLast: 7, monthly: 12 },
    });
    expect(job).toMatchObject({ compression: 'gzip', enabled: true, encryptionProfileId: undefined, destinationIds: [dropbox.id, local.id] });
    expect(await store.jobs.get(job.id)).toEqual(job);
    expect(await store.jobs.list()).toEqual([job]);
    const manual = await store.jobs.update(job.id, { schedule: null, enabled: false, compression: 'zstd', destinationIds: [local.id], database: null });
    expect(manual).toMatchObject({ schedule: undefined, enabled: false, compression: 'zstd', destinationIds: [local.id], database: undefined });
    expect(await store.jobs.get(job.id)).toEqual(manual);
  });

  it('jobs: folder names are unique ignoring case, on create and on update', async () => {
    const { store } = h();
    const { source, local } = await fixtures(store);
    const base = { sourceId: source.id, destinationIds: [local.id] };
    const first = await store.jobs.create({ ...base, name: 'Prod', folderName: 'Prod-DB' });
    const clash = await rejection(store.jobs.create({ ...base, name: 'Other', folderName: 'prod-db' }));
    expect(clash.code).toBe('conflict');
    expect(clash.message).toContain('already used by job "Prod"');
    expect(clash.details['conflictingJob']).toEqual({ id: first.id, name: 'Prod' });
    const second = await store.jobs.create({ ...base, name: 'Other', folderName: 'other' });
    expect((await rejection(store.jobs.update(second.id, { folderName: 'PROD-db' }))).code).toBe('conflict');
    // Renaming a job's own folder to a different case is fine.
    expect((await store.jobs.update(first.id, { folderName: 'prod-db' })).folderName).toBe('prod-db');
    expect((await store.jobs.findByFolderName('PROD-DB'))?.id).toBe(first.id);
    expect(await store.jobs.list()).toHaveLength(2);
  });

  it('jobs: unknown source, destination or profile is not_found, and nothing is written', async () => {
    const { store } = h();
    const { source, local } = await fixtures(store);
    const base = { name: 'J', folderName: 'j', sourceId: source.id, destinationIds: [local.id] };
    expect((await rejection(store.jobs.create({ ...base, sourceId: 'nope' }))).message).toContain('Source nope');
    expect((await rejection(store.jobs.create({ ...base, destinationIds: [local.id, 'gone'] }))).message).toContain('Destination gone');
    expect((await rejection(store.jobs.create({ ...base, encryptionProfileId: 'nah' }))).message).toContain('Encryption profile nah');
    expect((await rejection(store.jobs.create({ ...base, destinationIds: [local.id, local.id] }))).code).toBe('invalid_input');
    expect(await store.jobs.list()).toEqual([]);
    expect((await rejection(store.jobs.update('missing', { name: 'x' }))).code).toBe('not_found');
  });

  it('runs: lifecycle, large byte counts, filters and latest per job', async () => {
    const { store, clock } = h();
    const { source, local } = await fixtures(store);
    const a = await store.jobs.create({ name: 'A', folderName: 'a', sourceId: source.id, destinationIds: [local.id] });
    const b = await store.jobs.create({ name: 'B', folderName: 'b', sourceId: source.id, destinationIds: [local.id] });
    const first = await store.runs.create({ jobId: a.id, trigger: 'schedule' });
    expect(first).toMatchObject({ status: 'queued', trigger: 'schedule', bytes: 0, destinationResults: [], startedAt: undefined });
    clock.advance(1000);
    const big = 5 * 1024 ** 4; // 5 TiB: beyond 32-bit integers
    const done = await store.runs.update(first.id, {
      status: 'success', stage: 'done', bytes: big, rate: 1234.5, startedAt: first.queuedAt, endedAt: clock.now(),
      destinationResults: [{ destinationId: local.id, status: 'success', key: 'a/backup_x.sql.gz', bytes: 42 }], backupKey: 'backup_x.sql.gz',
    });
    expect(done).toMatchObject({ status: 'success', bytes: big, rate: 1234.5, backupKey: 'backup_x.sql.gz', endedAt: clock.now() });
    expect(done.destinationResults[0]?.key).toBe('a/backup_x.sql.gz');
    clock.advance(1000);
    const second = await store.runs.create({ jobId: a.id, trigger: 'manual' });
    clock.advance(1000);
    const other = await store.runs.create({ jobId: b.id, trigger: 'manual' });
    expect((await store.runs.list()).map((r) => r.id)).toEqual([other.id, second.id, first.id]);
    expect((await store.runs.list({ jobId: a.id, limit: 1 })).map((r) => r.id)).toEqual([second.id]);
    expect((await store.runs.list({ statuses: ['success'] })).map((r) => r.id)).toEqual([first.id]);
    expect((await store.runs.list({ before: second.queuedAt })).map((r) => r.id)).toEqual([first.id]);
    expect((await store.runs.list({ since: second.queuedAt })).map((r) => r.id)).toEqual([other.id, second.id]);
    expect((await store.runs.latestPerJob()).map((r) => r.id).sort()).toEqual([second.id, other.id].sort());
    expect((await rejection(store.runs.create({ jobId: 'nope', trigger: 'manual' }))).code).toBe('not_found');
    expect((await rejection(store.runs.update('nope', { stage: 'x' }))).code).toBe('not_found');
  });

  it('runs: log lines are numbered per run, paged, and redacted', async () => {
    const { store } = h();
    const { source, local } = await fixtures(store);
    const job = await store.jobs.create({ name: 'A', folderName: 'a', sourceId: source.id, destinationIds: [local.id] });
    const run = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    const lines = await Promise.all(['one', 'two', 'three'].map((m) => store.runs.appendLog(run.id, 'info', m)));
    expect(lines.map((l) => l.seq).sort()).toEqual([1, 2, 3]);
    await store.runs.appendLog(run.id, 'error', 'pg_dump: PGPASSWORD=hunter2 rejected');
    const all = await store.runs.logs(run.id);
    expect(all.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(all[3]).toMatchObject({ level: 'error', message: 'pg_dump: PGPASSWORD=[redacted] rejected' });
    expect((await store.runs.logs(run.id, { afterSeq: 2, limit: 1 })).map((l) => l.seq)).toEqual([3]);
    expect((await rejection(store.runs.appendLog('nope', 'info', 'x'))).code).toBe('not_found');
  });

  it('runs: unfinished runs of a killed process are marked interrupted, finished ones untouched', async () => {
    const { store, clock } = h();
    const { source, local } = await fixtures(store);
    const job = await store.jobs.create({ name: 'A', folderName: 'a', sourceId: source.id, destinationIds: [local.id] });
    const queued = await store.runs.create({ jobId: job.id, trigger: 'schedule' });
    const running = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    await store.runs.update(running.id, { status: 'running', stage: 'uploading', startedAt: clock.now(), rate: 10 });
    const finished = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    await store.runs.update(finished.id, { status: 'failed', errorMessage: 'boom' });
    clock.advance(60_000);
    const marked = await store.runs.markUnfinishedRunsInterrupted();
    expect(marked.map((r) => r.id).sort()).toEqual([queued.id, running.id].sort());
    for (const run of marked) {
      expect(run).toMatchObject({ status: 'interrupted', errorCode: 'interrupted', endedAt: clock.now(), rate: undefined });
      expect(run.errorMessage).toContain('run the job again');
    }
    expect((await store.runs.get(running.id))?.stage).toBe('uploading');
    expect(await store.runs.get(finished.id)).toMatchObject({ status: 'failed', errorMessage: 'boom' });
    expect(await store.runs.markUnfinishedRunsInterrupted()).toEqual([]);
  });

  it('runs: keep their owner, and recovery interrupts only the runs whose owner ended', async () => {
    const { store } = h();
    const { source, local } = await fixtures(store);
    const jobA = await store.jobs.create({ name: 'A', folderName: 'a', sourceId: source.id, destinationIds: [local.id] });
    const jobB = await store.jobs.create({ name: 'B', folderName: 'b', sourceId: source.id, destinationIds: [local.id] });
    const alive = await store.runs.create({ jobId: jobA.id, trigger: 'manual', owner: 'host 10 alive' });
    const dead = await store.runs.create({ jobId: jobB.id, trigger: 'manual', owner: 'host 11 dead' });
    const legacy = await store.runs.create({ jobId: jobB.id, trigger: 'schedule' });
    expect(alive.owner).toBe('host 10 alive');
    expect((await store.runs.get(alive.id))?.owner).toBe('host 10 alive');
    expect((await store.runs.get(legacy.id))?.owner).toBeUndefined();
    const seen: string[] = [];
    const marked = await store.runs.markUnfinishedRunsInterrupted(undefined, (run) => {
      seen.push(run.id);
      return run.owner !== 'host 10 alive';
    });
    expect(seen.sort()).toEqual([alive.id, dead.id, legacy.id].sort());
    expect(marked.map((r) => r.id).sort()).toEqual([dead.id, legacy.id].sort());
    expect((await store.runs.get(alive.id))?.status).toBe('queued');
  });

  it('runs: pruning deletes finished runs ended before the cutoff with their logs, never a job\'s latest or an unfinished run', async () => {
    const { store, clock } = h();
    const { source, local } = await fixtures(store);
    const a = await store.jobs.create({ name: 'A', folderName: 'a', sourceId: source.id, destinationIds: [local.id] });
    const b = await store.jobs.create({ name: 'B', folderName: 'b', sourceId: source.id, destinationIds: [local.id] });
    const finish = async (jobId: string, status: 'success' | 'failed') => {
      const run = await store.runs.create({ jobId, trigger: 'schedule' });
      await store.runs.appendLog(run.id, 'info', `run of ${jobId}`);
      clock.advance(1000);
      return store.runs.update(run.id, { status, startedAt: run.queuedAt, endedAt: clock.now() });
    };
    const oldA = await finish(a.id, 'success');
    const backup = await store.backups.record({ destinationId: local.id, key: 'a/backup_1.sql', size: 1, createdAt: clock.now(), compression: 'none', jobId: a.id, runId: oldA.id });
    const olderB = await finish(b.id, 'failed');
    const onlyOfB = await finish(b.id, 'success');
    // Queued long ago and still waiting: unfinished runs are never pruned.
    const stuck = await store.runs.create({ jobId: b.id, trigger: 'manual' });
    clock.advance(1000);
    const cutoff = clock.now();
    clock.advance(1000);
    const recentA = await finish(a.id, 'failed');

    // B's newest run is `stuck`, so onlyOfB goes too; A keeps recentA (newer than the cutoff).
    expect(await store.runs.pruneFinished(cutoff)).toBe(3);
    expect(await store.runs.get(oldA.id)).toBeUndefined();
    expect(await store.runs.get(olderB.id)).toBeUndefined();
    expect(await store.runs.get(onlyOfB.id)).toBeUndefined();
    expect(await store.runs.logs(oldA.id)).toEqual([]);
    expect((await store.runs.get(stuck.id))?.status).toBe('queued');
    expect((await store.runs.logs(recentA.id)).map((line) => line.message)).toEqual([`run of ${a.id}`]);
    expect(await store.backups.get(backup.id)).toMatchObject({ runId: undefined, jobId: a.id, key: 'a/backup_1.sql' });

    // A job's latest run stays however old it is.
    clock.advance(86_400_000);
    expect(await store.runs.pruneFinished(clock.now())).toBe(0);
    await store.runs.update(stuck.id, { status: 'cancelled', endedAt: clock.now() });
    clock.advance(1000);
    expect(await store.runs.pruneFinished(clock.now())).toBe(0);
    expect((await store.runs.latestPerJob()).map((run) => run.id).sort()).toEqual([recentA.id, stuck.id].sort());
  });

  it('jobs: deleting a job removes its runs and logs but keeps indexed backups', async () => {
    const { store, clock } = h();
    const { source, local } = await fixtures(store);
    const job = await store.jobs.create({ name: 'A', folderName: 'a', sourceId: source.id, destinationIds: [local.id] });
    const run = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    await store.runs.appendLog(run.id, 'info', 'hello');
    const backup = await store.backups.record({ destinationId: local.id, key: 'a/backup_1.sql', size: 1, createdAt: clock.now(), compression: 'none', jobId: job.id, runId: run.id });
    expect(await store.jobs.delete(job.id)).toBe(true);
    expect(await store.runs.get(run.id)).toBeUndefined();
    expect(await store.runs.logs(run.id)).toEqual([]);
    expect(await store.backups.get(backup.id)).toMatchObject({ jobId: undefined, runId: undefined, key: 'a/backup_1.sql' });
  });

  it('backups: recorded, replaced by key, listed newest first, verified and deleted', async () => {
    const { store, clock } = h();
    const { local, dropbox } = await fixtures(store);
    const t0 = clock.now();
    const first = await store.backups.record({ destinationId: local.id, key: 'a/b1.sql.gz', size: 6 * 1024 ** 3, createdAt: t0, compression: 'gzip', sha256: 's1', meta: { engine: 'postgres 16' } });
    const later = new Date(t0.getTime() + 3_600_000);
    await store.backups.record({ destinationId: local.id, key: 'a/b2.sql.gz', size: 2, createdAt: later, compression: 'gzip' });
    await store.backups.record({ destinationId: dropbox.id, key: 'a/b1.sql.gz', size: 3, createdAt: t0, compression: 'gzip' });
    const replaced = await store.backups.record({ destinationId: local.id, key: 'a/b1.sql.gz', size: 7, createdAt: t0, compression: 'gzip', contentHash: 'ch' });
    expect(replaced).toMatchObject({ id: first.id, size: 7, sha256: undefined, contentHash: 'ch', meta: {} });
    expect(first.size).toBe(6 * 1024 ** 3);
    expect((await store.backups.list({ destinationId: local.id })).map((b) => b.key)).toEqual(['a/b2.sql.gz', 'a/b1.sql.gz']);
    expect(await store.backups.list()).toHaveLength(3);
    clock.advance(10);
    await store.backups.markVerified(first.id);
    expect((await store.backups.findByKey(local.id, 'a/b1.sql.gz'))?.verifiedAt).toEqual(clock.now());
    expect(await store.backups.delete(local.id, 'a/b1.sql.gz')).toBe(true);
    expect(await store.backups.delete(local.id, 'a/b1.sql.gz')).toBe(false);
    expect((await rejection(store.backups.record({ destinationId: 'nope', key: 'k', size: 1, createdAt: t0, compression: 'none' }))).code).toBe('not_found');
  });
}
