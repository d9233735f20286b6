import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SCHEDULER_HEARTBEAT_KEY } from './core/jobs/scheduler.ts';
import type { RunNotificationPayload } from './core/notifications/run-payload.ts';
import { Secret } from './core/secret.ts';
import { createEngine } from './engine.ts';
import type { MetadataStore } from './ports/metadata-store.port.ts';
import type { Notifier } from './ports/notifier.port.ts';
import { openTempStore } from './test-support/temp-store.ts';

let dir: string;
let store: MetadataStore;
let dispose: () => Promise<void>;

beforeEach(async () => {
  ({ dir, store, dispose } = await openTempStore('dbk-engine-notify-'));
});
afterEach(() => dispose());

it('startup notifies webhooks of runs a dead process left unfinished and of schedules missed while DBackup was down', async () => {
  const source = await store.sources.create({ type: 'postgres', name: 'db', host: '127.0.0.1', username: 'postgres' });
  const destination = await store.destinations.create({ type: 'local', name: 'disk', config: { basePath: join(dir, 'backups') } });
  const job = await store.jobs.create({
    name: 'Hourly', folderName: 'hourly', sourceId: source.id, database: 'shop', destinationIds: [destination.id], schedule: { cron: '0 * * * *', timezone: 'UTC' },
  });
  await store.webhooks.create({ name: 'ops', url: new Secret('https://hooks.example/ops') });
  const abandoned = await store.runs.create({ jobId: job.id, trigger: 'schedule', owner: 'dead-process' });
  await store.runs.update(abandoned.id, { status: 'running', startedAt: new Date() });
  await store.settings.set(SCHEDULER_HEARTBEAT_KEY, new Date(Date.now() - 3 * 3600_000).toISOString());

  const sent: RunNotificationPayload[] = [];
  const notifier: Notifier = { deliver: async (_url, payload) => void sent.push(payload as RunNotificationPayload) };
  const engine = createEngine({
    store, dataDir: dir, clock: { now: () => new Date() }, appVersion: 'test', log: () => undefined, notifier, publicUrl: 'https://backup.example.com',
    ownership: { self: 'me', hasEnded: (owner) => owner !== 'me' },
  });
  const { interrupted, missed } = await engine.start();
  await engine.stop();

  expect(interrupted.map((r) => r.id)).toEqual([abandoned.id]);
  expect(missed).toHaveLength(1);
  expect(sent.map((p) => [p.event, p.run.id]).sort()).toEqual([['run.interrupted', abandoned.id], ['run.interrupted', missed[0]!.id]].sort());
  expect(sent.find((p) => p.run.id === missed[0]!.id)?.text).toMatch(/^DBackup: backup of "Hourly" was interrupted: Missed \d+ scheduled runs? /);
});
