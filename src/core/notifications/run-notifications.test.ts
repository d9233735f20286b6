import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { Job, MetadataStore, NotificationEvent, WebhookRecord } from '../../ports/metadata-store.port.ts';
import type { Notifier } from '../../ports/notifier.port.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { DBackupError } from '../errors.ts';
import { createJobRunner } from '../jobs/job-runner.ts';
import { Secret } from '../secret.ts';
import { createStorage } from '../storage.ts';
import { createRunNotifications, webhooksFor } from './run-notifications.ts';
import type { RunNotificationPayload } from './run-payload.ts';
import { openTempStore } from '../../test-support/temp-store.ts';

let dir: string;
let store: MetadataStore;
let dispose: () => Promise<void>;

beforeEach(async () => {
  ({ dir, store, dispose } = await openTempStore('dbk-notify-'));
});
afterEach(() => dispose());

/** A notifier that records what it was asked to send; `fail` makes every delivery to that URL fail. */
function recordingNotifier(fail: Record<string, DBackupError> = {}, hold?: Promise<void>) {
  const sent: Array<{ url: string; payload: RunNotificationPayload }> = [];
  const notifier: Notifier = {
    async deliver(url, payload) {
      await hold;
      const failure = fail[url.reveal()];
      if (failure) throw failure;
      sent.push({ url: url.reveal(), payload: payload as RunNotificationPayload });
    },
  };
  return { notifier, sent };
}

async function jobWithDestinations(count: number): Promise<Job> {
  const source = await store.sources.create({ type: 'postgres', name: 'db', host: '127.0.0.1', username: 'postgres' });
  const destinationIds: string[] = [];
  for (let i = 0; i < count; i++) destinationIds.push((await store.destinations.create({ type: 'local', name: `disk ${i}`, config: { basePath: join(dir, `d${i}`) } })).id);
  return store.jobs.create({ name: 'Shop DB', folderName: 'shop', sourceId: source.id, database: 'shop', destinationIds });
}

const hook = (name: string, events: NotificationEvent[], enabled = true) =>
  store.webhooks.create({ name, url: new Secret(`https://hooks.example/${name}`), events, enabled });

const notifications = (notifier: Notifier) =>
  createRunNotifications({ store, notifier, publicUrl: 'https://backup.example.com/', appVersion: '1.2.3' });

describe('which webhooks hear about which event', () => {
  it('picks enabled webhooks that chose the event; success only for those who opted in', () => {
    const base = { url: new Secret('x'), createdAt: new Date(), updatedAt: new Date() };
    const hooks: WebhookRecord[] = [
      { ...base, id: '1', name: 'defaults', events: ['run.failed', 'run.partial', 'run.interrupted'], enabled: true },
      { ...base, id: '2', name: 'everything', events: ['run.failed', 'run.partial', 'run.interrupted', 'run.succeeded'], enabled: true },
      { ...base, id: '3', name: 'off', events: ['run.failed', 'run.succeeded'], enabled: false },
      { ...base, id: '4', name: 'partial only', events: ['run.partial'], enabled: true },
    ];
    const names = (event: NotificationEvent) => webhooksFor(event, hooks).map((h) => h.name);
    expect(names('run.failed')).toEqual(['defaults', 'everything']);
    expect(names('run.partial')).toEqual(['defaults', 'everything', 'partial only']);
    expect(names('run.interrupted')).toEqual(['defaults', 'everything']);
    expect(names('run.succeeded')).toEqual(['everything']);
  });
});

describe('run notifications', () => {
  it('sends a failed run to the webhooks that want it, with the documented payload, and logs the delivery', async () => {
    const job = await jobWithDestinations(1);
    await hook('ops', ['run.failed']);
    await hook('happy', ['run.succeeded']);
    const run = await store.runs.create({ jobId: job.id, trigger: 'schedule' });
    await store.runs.update(run.id, {
      status: 'failed', startedAt: new Date('2024-01-16T02:00:00Z'), endedAt: new Date('2024-01-16T02:00:05Z'), bytes: 42,
      errorCode: 'unavailable', errorMessage: 'Could not connect to the database.\nCheck that it runs.',
    });
    const { notifier, sent } = recordingNotifier();
    const n = notifications(notifier);
    expect(n.pending).toBe(0);
    n.runEnded(run.id);
    expect(n.pending).toBe(1); // what a shutdown waits for
    await n.settled();
    expect(n.pending).toBe(0);

    expect(sent.map((s) => s.url)).toEqual(['https://hooks.example/ops']);
    const payload = sent[0]!.payload;
    expect(payload).toEqual({
      event: 'run.failed',
      text: `DBackup: backup of "Shop DB" failed: Could not connect to the database. Check that it runs. — https://backup.example.com/runs/${run.id}`,
      job: { id: job.id, name: 'Shop DB' },
      run: {
        id: run.id, status: 'failed', trigger: 'schedule', startedAt: '2024-01-16T02:00:00.000Z', endedAt: '2024-01-16T02:00:05.000Z', bytes: 42,
        errorCode: 'unavailable', errorMessage: 'Could not connect to the database.\nCheck that it runs.', url: `https://backup.example.com/runs/${run.id}`,
      },
      destinations: [{ id: job.destinationIds[0], name: 'disk 0', status: 'not_written', errorMessage: null }],
      dbackup: { version: '1.2.3', url: 'https://backup.example.com' },
    });
    expect((await store.runs.logs(run.id)).map((l) => l.message)).toContain('Notified webhook "ops" (run.failed).');
  });

  it('says nothing about cancelled or unfinished runs, nor to disabled webhooks', async () => {
    const job = await jobWithDestinations(1);
    await hook('all', ['run.failed', 'run.partial', 'run.interrupted', 'run.succeeded']);
    await hook('disabled', ['run.failed'], false);
    const cancelled = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    await store.runs.update(cancelled.id, { status: 'cancelled', endedAt: new Date() });
    const running = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    const failed = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    await store.runs.update(failed.id, { status: 'failed', endedAt: new Date(), errorMessage: 'x' });
    const { notifier, sent } = recordingNotifier();
    const n = notifications(notifier);
    [cancelled.id, running.id, failed.id, 'no-such-run'].forEach((id) => n.runEnded(id));
    await n.settled();
    expect(sent.map((s) => [s.url, s.payload.run.id])).toEqual([['https://hooks.example/all', failed.id]]);
  });

  it('a failing webhook is logged in the run, naming it and what to check, and the others are still told', async () => {
    const job = await jobWithDestinations(1);
    await hook('broken', ['run.interrupted']);
    await hook('fine', ['run.interrupted']);
    const run = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    await store.runs.update(run.id, { status: 'interrupted', endedAt: new Date(), errorMessage: 'DBackup stopped.' });
    const { notifier, sent } = recordingNotifier({
      'https://hooks.example/broken': new DBackupError('invalid_input', 'https://hooks.example refused the notification with HTTP 404 Not Found. Check the webhook URL and its token.'),
    });
    const n = notifications(notifier);
    n.runEnded(run.id);
    await n.settled();
    expect(sent.map((s) => s.url)).toEqual(['https://hooks.example/fine']);
    const warning = (await store.runs.logs(run.id)).find((l) => l.level === 'warn');
    expect(warning?.message).toMatch(/^Notifying webhook "broken" failed: .*HTTP 404 Not Found\. Check the webhook URL/);
    expect(warning?.message).toContain('"Send test"');
    expect((await store.runs.get(run.id))!.status).toBe('interrupted');
  });

  it('names the destinations that failed in a partial run', async () => {
    const job = await jobWithDestinations(2);
    await hook('ops', ['run.partial']);
    const run = await store.runs.create({ jobId: job.id, trigger: 'manual' });
    await store.runs.update(run.id, {
      status: 'partial', endedAt: new Date(), errorMessage: 'bucket gone',
      destinationResults: [
        { destinationId: job.destinationIds[0]!, status: 'success', key: 'shop/b.sql.gz' },
        { destinationId: job.destinationIds[1]!, status: 'failed', errorMessage: 'bucket gone' },
      ],
    });
    const { notifier, sent } = recordingNotifier();
    const n = notifications(notifier);
    n.runEnded(run.id);
    await n.settled();
    const payload = sent[0]!.payload;
    expect(payload.destinations).toEqual([
      { id: job.destinationIds[0], name: 'disk 0', status: 'success', errorMessage: null },
      { id: job.destinationIds[1], name: 'disk 1', status: 'failed', errorMessage: 'bucket gone' },
    ]);
    expect(payload.text).toMatch(/^DBackup: backup of "Shop DB" partly failed on disk 1: bucket gone — /);
  });

  it('sendTest sends one sample payload and passes the exact failure through', async () => {
    const webhook = await hook('ops', ['run.failed']);
    const { notifier, sent } = recordingNotifier();
    const payload = await notifications(notifier).sendTest(webhook);
    expect(sent).toHaveLength(1);
    expect(payload.event).toBe('test');
    expect(payload.text).toMatch(/^DBackup test notification/);
    const refusing = recordingNotifier({ 'https://hooks.example/ops': new DBackupError('transient', 'https://hooks.example did not answer within 10 s (timeout).') });
    await expect(notifications(refusing.notifier).sendTest(webhook)).rejects.toThrow('did not answer within 10 s (timeout)');
  });
});

describe('job runner with notifications', () => {
  it('a failing webhook never changes the run outcome; it is logged, and the runner does not wait for it', async () => {
    const job = await jobWithDestinations(2);
    await hook('broken', ['run.partial']);
    let release: () => void = () => undefined;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { notifier } = recordingNotifier({ 'https://hooks.example/broken': new DBackupError('transient', 'Could not reach https://hooks.example: connection refused (ECONNREFUSED).') }, hold);
    const n = notifications(notifier);
    const storages = job.destinationIds.map((_, i) => createStorage(createLocalDestination({ basePath: join(dir, `d${i}`) })));
    const broken: Destination = { ...storages[1]!, write: () => Promise.reject(new Error('bucket gone')) };
    const runner = createJobRunner({
      store, transforms: createBackupTransforms(), clock: { now: () => new Date() }, appVersion: 'test',
      resolve: async () => ({
        source: createGeneratedSource(10_000), sourceType: 'postgres', database: 'shop',
        targets: [{ id: job.destinationIds[0]!, name: 'disk 0', storage: storages[0]! }, { id: job.destinationIds[1]!, name: 'disk 1', storage: createStorage(broken) }],
      }),
      onRunEnded: (runId) => n.runEnded(runId),
    });
    const queued = await runner.enqueue(job.id, 'manual');
    // The delivery is still held back here: idle() must not wait for it.
    await runner.idle();
    expect((await store.runs.get(queued.id))!.status).toBe('partial');
    release();
    await n.settled();
    const run = (await store.runs.get(queued.id))!;
    expect(run.status).toBe('partial');
    expect(run.errorMessage).toMatch(/bucket gone/);
    const messages = (await store.runs.logs(queued.id)).map((l) => l.message);
    expect(messages.some((m) => m.startsWith('Notifying webhook "broken" failed: Could not reach https://hooks.example'))).toBe(true);
  });

  it('a listener that throws does not change the run', async () => {
    const job = await jobWithDestinations(1);
    const runner = createJobRunner({
      store, transforms: createBackupTransforms(), clock: { now: () => new Date() }, appVersion: 'test',
      resolve: () => Promise.reject(new DBackupError('not_found', 'The source of job "Shop DB" no longer exists.')),
      onRunEnded: () => { throw new Error('listener bug'); },
    });
    const queued = await runner.enqueue(job.id, 'manual');
    await runner.idle();
    const run = (await store.runs.get(queued.id))!;
    expect(run.status).toBe('failed');
    expect(run.errorMessage).toMatch(/no longer exists/);
  });
});
