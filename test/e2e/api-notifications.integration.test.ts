import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from './support/api-client.ts';
import { createSqliteDatabase, pollUntil } from './support/engine-fixture.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

/**
 * Notification webhooks through the HTTP API, against a real local webhook receiver: CRUD with the
 * URL never returned, "Send test" success and failure, and a failed run notifying the webhook.
 */
let app: TestApp;
let admin: ApiClient;
let dir: string;
let receiver: Server;
let hookBase: string;
const received: Array<{ url: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];

interface FieldError { error: { code: string; message: string; details?: { fields?: Record<string, string> } } }
interface WebhookView { id: string; name: string; urlMasked: string; events: string[]; enabled: boolean }

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dbk-api-notify-'));
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      response.writeHead(request.url?.startsWith('/down') ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  app = await createTestApp();
  app.start({ dropboxApiUrl: undefined });
  admin = createApiClient(app.url);
  expect((await admin.request('POST', '/api/setup', { username: 'admin', password: 'correct horse battery' })).status).toBe(201);
});

afterAll(async () => {
  await app?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('notification webhooks API', () => {
  let hook: WebhookView;

  it('validates per field', async () => {
    const bad = await admin.request<FieldError>('POST', '/api/webhooks', { name: '', url: 'ftp://x', events: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.fields).toEqual({
      name: expect.stringContaining('Enter a name'),
      url: 'Must start with http:// or https://.',
      events: 'Choose at least one event.',
    });
    const unknown = await admin.request<FieldError>('POST', '/api/webhooks', { name: 'x', url: 'https://x.example/', events: ['run.exploded'] });
    expect(unknown.body.error.details?.fields?.events).toContain('"run.exploded"');
    expect((await admin.request<FieldError>('POST', '/api/webhooks', { name: 'x', url: 'https://x.example/', events: 'run.failed' })).status).toBe(400);
  });

  it('creates with the default events and never returns the URL beyond scheme and host', async () => {
    const created = await admin.request<WebhookView>('POST', '/api/webhooks', { name: 'Ops', url: `${hookBase}/hooks/secret-token-123` });
    expect(created.status).toBe(201);
    hook = created.body;
    expect(hook).toMatchObject({ name: 'Ops', urlMasked: `${hookBase}/••••••`, events: ['run.failed', 'run.partial', 'run.interrupted'], enabled: true });
    for (const response of [created, await admin.request('GET', '/api/webhooks'), await admin.request('GET', `/api/webhooks/${hook.id}`)]) {
      expect(response.text).not.toContain('secret-token-123');
    }
    const doc = await admin.request<{ components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }>('GET', '/api/openapi.json');
    expect(Object.keys(doc.body.components.schemas.Webhook?.properties ?? {}).sort()).toEqual(Object.keys(hook).sort());
  });

  it('"Send test" delivers a sample payload and reports success', async () => {
    received.length = 0;
    const result = await admin.request<{ ok: boolean; message: string }>('POST', `/api/webhooks/${hook.id}/test`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ ok: true, message: `Test notification delivered to "Ops" (${hookBase}/••••••).` });
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/hooks/secret-token-123');
    expect(received[0]!.headers['user-agent']).toMatch(/^DBackup\/\d+\.\d+\.\d+/);
    expect(received[0]!.body).toMatchObject({ event: 'test', text: expect.stringContaining('DBackup test notification') });
  });

  it('"Send test" reports the exact failure; a blank URL on update keeps the stored one', async () => {
    const renamed = await admin.request<WebhookView>('PUT', `/api/webhooks/${hook.id}`, { name: 'Ops 2', url: '', events: ['run.failed', 'run.succeeded'], enabled: true });
    expect(renamed.body).toMatchObject({ name: 'Ops 2', urlMasked: `${hookBase}/••••••`, events: ['run.failed', 'run.succeeded'] });
    await admin.request('PUT', `/api/webhooks/${hook.id}`, { name: 'Ops 2', url: `${hookBase}/down/abc` });
    received.length = 0;
    const result = await admin.request<{ ok: boolean; message: string; status?: number; code?: string }>('POST', `/api/webhooks/${hook.id}/test`);
    expect(result.body).toMatchObject({ ok: false, status: 500, code: 'transient', message: expect.stringContaining(`${hookBase} answered HTTP 500`) });
    expect(received).toHaveLength(1); // a test is one attempt, no retries
    expect((await admin.request('GET', `/api/webhooks/${hook.id}`)).body).toMatchObject({ events: ['run.failed', 'run.succeeded'] });
    await admin.request('PUT', `/api/webhooks/${hook.id}`, { name: 'Ops', url: `${hookBase}/hooks/secret-token-123` });
  });

  it('a failed run notifies the webhook with a link to the run page', async () => {
    const dbFile = path.join(dir, 'app.sqlite');
    await createSqliteDatabase(dbFile);
    const source = await admin.request<{ id: string }>('POST', '/api/sources', { type: 'sqlite', name: 'App', sqlitePath: dbFile });
    const destination = await admin.request<{ id: string }>('POST', '/api/destinations', { type: 'local', name: 'Disk', config: { path: path.join(dir, 'backups') } });
    const job = await admin.request<{ id: string }>('POST', '/api/jobs', { name: 'Nightly app', sourceId: source.body.id, destinationIds: [destination.body.id] });
    expect(job.status).toBe(201);
    await rm(dbFile); // the dump cannot run: the run fails
    received.length = 0;
    const queued = await admin.request<{ id: string }>('POST', `/api/jobs/${job.body.id}/run`);
    const run = await pollUntil<{ status: string }>(admin, `/api/runs/${queued.body.id}`, (body) => body.status !== 'queued' && body.status !== 'running');
    expect(run.status).toBe('failed');
    const deadline = Date.now() + 10_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({
      event: 'run.failed',
      job: { id: job.body.id, name: 'Nightly app' },
      run: { id: queued.body.id, status: 'failed', url: `${app.url}/runs/${queued.body.id}`, errorMessage: expect.any(String) },
      destinations: [{ id: destination.body.id, name: 'Disk', status: 'not_written', errorMessage: null }],
      text: expect.stringMatching(/^DBackup: backup of "Nightly app" failed: /),
    });
    await pollUntil<{ lines: { message: string }[] }>(admin, `/api/runs/${queued.body.id}/logs`, (body) => body.lines.some((l) => l.message === 'Notified webhook "Ops" (run.failed).'));
  });

  it('deletes', async () => {
    expect((await admin.request('DELETE', `/api/webhooks/${hook.id}`)).status).toBe(204);
    expect((await admin.request('GET', `/api/webhooks/${hook.id}`)).status).toBe(404);
    expect((await admin.request('GET', '/api/webhooks')).body).toEqual([]);
  });
});
