import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createEngine } from './engine.ts';
import type { MetadataStore } from './ports/metadata-store.port.ts';
import { openTempStore } from './test-support/temp-store.ts';

const DAY = 86_400_000;
let dir: string;
let store: MetadataStore;
let dispose: () => Promise<void>;

beforeEach(async () => {
  ({ dir, store, dispose } = await openTempStore('dbk-engine-history-'));
});
afterEach(() => dispose());

/** A manual job with two finished runs 100 and 99 days old, and a restore 100 days old. */
async function oldHistory() {
  const source = await store.sources.create({ type: 'postgres', name: 'db', host: '127.0.0.1', username: 'postgres' });
  const destination = await store.destinations.create({ type: 'local', name: 'disk', config: { basePath: join(dir, 'backups') } });
  const job = await store.jobs.create({ name: 'Manual', folderName: 'manual', sourceId: source.id, database: 'shop', destinationIds: [destination.id] });
  const runs = [];
  for (const daysAgo of [100, 99]) {
    const run = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    runs.push(await store.runs.update(run.id, { status: 'success', endedAt: new Date(Date.now() - daysAgo * DAY) }));
  }
  const restore = await store.restores.create({
    destinationId: destination.id, key: 'manual/backup_x.sql', sourceId: source.id, sourceName: 'db', database: 'shop',
    options: { createDatabase: false, dropExisting: false, skipOwnership: true },
  });
  await store.restores.update(restore.id, { status: 'success', endedAt: new Date(Date.now() - 100 * DAY) });
  return { runs, restore };
}

it('the server prunes runs and restores past DBACKUP_HISTORY_DAYS at start, keeping the job\'s latest run', async () => {
  const { runs, restore } = await oldHistory();
  const logs: string[] = [];
  const engine = createEngine({ store, dataDir: dir, clock: { now: () => new Date() }, appVersion: 'test', historyDays: 30, log: (_level, message) => logs.push(message) });
  await engine.start();
  await engine.stop(); // waits for the prune started with the scheduler
  expect(await store.runs.get(runs[0]!.id)).toBeUndefined();
  expect(await store.runs.get(runs[1]!.id)).toBeDefined();
  expect(await store.restores.get(restore.id)).toBeUndefined();
  expect(logs.some((line) => line.startsWith('History retention: removed 1 run and 1 restore that ended before'))).toBe(true);
});

it('one-shot commands (no scheduler) and DBACKUP_HISTORY_DAYS=0 leave the history alone', async () => {
  const { runs, restore } = await oldHistory();
  const oneShot = createEngine({ store, dataDir: dir, clock: { now: () => new Date() }, appVersion: 'test', historyDays: 30, log: () => undefined });
  await oneShot.start({ scheduler: false });
  await oneShot.stop();
  const keepAll = createEngine({ store, dataDir: dir, clock: { now: () => new Date() }, appVersion: 'test', historyDays: 0, log: () => undefined });
  await keepAll.start();
  await keepAll.stop();
  expect(await store.runs.get(runs[0]!.id)).toBeDefined();
  expect(await store.restores.get(restore.id)).toBeDefined();
});
