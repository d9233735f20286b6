import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_POSTGRES } from '../../src/adapters/sources/postgres/postgres.fixture.ts';
import { generateTestCertificates } from '../../src/adapters/sources/tls/test-certificates.fixture.ts';
import { createApiClient, type ApiClient } from './support/api-client.ts';
import { createSqliteDatabase, pollUntil, readCustomers } from './support/engine-fixture.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

/**
 * The backup engine through the HTTP API, in-process with the real SQLite store, a real SQLite
 * source and a local destination: sources → profile → job → run now → explorer → restore.
 */
let app: TestApp;
let admin: ApiClient;
let dir: string;
let dbFile: string;
let backupDir: string;
const ids = { source: '', destination: '', profile: '', job: '', run: '' };
let backupKey = '';

interface FieldError { error: { code: string; message: string; details?: { fields?: Record<string, string> } } }

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dbk-api-engine-'));
  dbFile = path.join(dir, 'app', 'app.sqlite');
  backupDir = path.join(dir, 'backups');
  await createSqliteDatabase(dbFile);
  app = await createTestApp();
  app.start({ dropboxApiUrl: undefined });
  admin = createApiClient(app.url);
  expect((await admin.request('POST', '/api/setup', { username: 'admin', password: 'correct horse battery' })).status).toBe(201);
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sources', () => {
  it('validates per field and never returns a password', async () => {
    const bad = await admin.request<FieldError>('POST', '/api/sources', { type: 'postgres', name: '', host: '', port: 'x', username: '' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details?.fields ?? {}).sort()).toEqual(['host', 'name', 'port', 'username']);
    const wrongType = await admin.request<FieldError>('POST', '/api/sources', { type: 'postgres', name: 'x', port: [1] });
    expect(wrongType.body.error.details?.fields).toEqual({ port: 'Must be a number.' });

    const pg = await admin.request<{ id: string; passwordSet: boolean }>('POST', '/api/sources', { type: 'postgres', name: 'PG', host: '127.0.0.1', username: 'postgres', password: 'hunter2-secret' });
    expect(pg.status).toBe(201);
    expect(pg.body.passwordSet).toBe(true);
    expect((await admin.request('GET', '/api/sources')).text).not.toContain('hunter2-secret');
    expect((await admin.request('DELETE', `/api/sources/${pg.body.id}`)).status).toBe(204);
  });

  it('accepts, checks and returns the TLS mode and CA certificate, and connects with them', async () => {
    const certs = await generateTestCertificates();
    const server = { type: 'postgres', name: 'Managed', host: TEST_POSTGRES.host, port: TEST_POSTGRES.port, username: TEST_POSTGRES.user };
    const bad = await admin.request<FieldError>('POST', '/api/sources', { ...server, tlsMode: 'verify-full', caCertificate: 'MIIB not PEM' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.fields).toEqual({ caCertificate: expect.stringContaining('Paste the CA certificate in PEM format') });
    expect((await admin.request<FieldError>('POST', '/api/sources', { ...server, tlsMode: 'strict' })).body.error.details?.fields).toEqual({
      tlsMode: 'Choose disable, prefer, require, verify-ca or verify-full.',
    });

    const created = await admin.request<Record<string, unknown> & { id: string }>('POST', '/api/sources', { ...server, tlsMode: 'verify-full', caCertificate: certs.caCert });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tlsMode: 'verify-full', caCertificate: certs.caCert });
    expect((await admin.request('GET', `/api/sources/${created.body.id}`)).body).toMatchObject({ tlsMode: 'verify-full', caCertificate: certs.caCert });
    const doc = await admin.request<{ components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }>('GET', '/api/openapi.json');
    const documented = Object.keys(doc.body.components.schemas.Source?.properties ?? {});
    for (const field of Object.keys(created.body)) expect(documented).toContain(field);

    // The local server has no TLS: require reaches it and is refused with what to do.
    const refused = await admin.request<FieldError>('POST', '/api/sources/test', { ...server, tlsMode: 'require' });
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toBe(
      `PostgreSQL at ${TEST_POSTGRES.host}:${TEST_POSTGRES.port} does not accept TLS connections, but the source's TLS mode is "require". ` +
        "Enable SSL on the server, or set TLS to 'prefer' or 'disable' in the source settings.",
    );
    const updated = await admin.request<Record<string, unknown>>('PUT', `/api/sources/${created.body.id}`, { ...server, tlsMode: 'prefer' });
    expect(updated.body.tlsMode).toBe('prefer');
    expect(updated.body).not.toHaveProperty('caCertificate');
    expect((await admin.request('POST', `/api/sources/${created.body.id}/test`)).body).toMatchObject({ engine: 'postgres' });
    expect((await admin.request('DELETE', `/api/sources/${created.body.id}`)).status).toBe(204);
  });

  it('creates a SQLite source, tests it and lists its one database', async () => {
    const created = await admin.request<{ id: string }>('POST', '/api/sources', { type: 'sqlite', name: 'App DB', sqlitePath: dbFile });
    expect(created.status).toBe(201);
    ids.source = created.body.id;
    const tested = await admin.request('POST', `/api/sources/${ids.source}/test`);
    expect(tested.body).toMatchObject({ engine: 'sqlite', serverVersion: expect.stringMatching(/^3\./) });
    expect((await admin.request('GET', `/api/sources/${ids.source}/databases`)).body).toEqual(['app.sqlite']);
    const missing = await admin.request<FieldError>('POST', '/api/sources/test', { type: 'sqlite', name: 'x', sqlitePath: path.join(dir, 'nope.sqlite') });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('does not exist');
  });
});

describe('profiles and jobs', () => {
  it('creates a destination and an encryption profile', async () => {
    const destination = await admin.request<{ id: string }>('POST', '/api/destinations', { type: 'local', name: 'Local disk', config: { path: backupDir } });
    expect(destination.status).toBe(201);
    ids.destination = destination.body.id;
    const profile = await admin.request<{ id: string; fingerprint: string }>('POST', '/api/profiles', { name: 'Offsite' });
    expect(profile.status).toBe(201);
    ids.profile = profile.body.id;
    expect((await admin.request('GET', '/api/profiles')).body).toEqual([expect.objectContaining({ name: 'Offsite', usage: { jobs: [], backups: 0 } })]);
  });

  it('validates a job per field and previews a schedule', async () => {
    const bad = await admin.request<FieldError>('POST', '/api/jobs', { name: '', sourceId: ids.source, destinationIds: [], schedule: { cron: '61 * * * *', timezone: 'UTC' }, compression: 'rar', retention: { keepLast: 'many' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details?.fields ?? {}).sort()).toEqual(['compression', 'cron', 'destinationIds', 'name', 'retention.keepLast']);
    const presets = await admin.request<{ presets: Record<string, string> }>('GET', '/api/schedules');
    expect(Object.keys(presets.body.presets)).toEqual(['hourly', 'daily', 'weekly', 'monthly']);
    const preview = await admin.request<{ next: string[] }>('POST', '/api/schedules/preview', { cron: 'daily', timezone: 'Asia/Tokyo' });
    expect(preview.body.next).toHaveLength(5);
    expect(new Date(preview.body.next[0]!).getUTCHours()).toBe(17); // 02:00 in Tokyo
    expect((await admin.request('POST', '/api/schedules/preview', { cron: 'often', timezone: 'UTC' })).status).toBe(400);
  });

  it('creates a job with a schedule, retention and encryption, showing the next run', async () => {
    const job = await admin.request<{ id: string; folderName: string; database: string; nextRunAt: string; compression: string }>('POST', '/api/jobs', {
      name: 'App nightly', sourceId: ids.source, destinationIds: [ids.destination], schedule: { cron: 'daily', timezone: 'UTC' },
      encryptionProfileId: ids.profile, retention: { keepLast: 3 }, enabled: true,
    });
    expect(job.status).toBe(201);
    expect(job.body).toMatchObject({ folderName: 'App-nightly', database: 'app.sqlite', compression: 'gzip', nextRunAt: expect.any(String) });
    ids.job = job.body.id;
  });
});

describe('running and history', () => {
  it('runs now and reports success with progress figures, destination results and a log', async () => {
    const queued = await admin.request<{ id: string; status: string }>('POST', `/api/jobs/${ids.job}/run`);
    expect(queued.status).toBe(202);
    ids.run = queued.body.id;
    const twice = await admin.request<FieldError>('POST', `/api/jobs/${ids.job}/run`);
    expect([202, 409]).toContain(twice.status); // the first may already have finished
    const run = await pollUntil<{ status: string; bytes: number; backupKey: string; destinationResults: { destinationName: string; status: string }[] }>(
      admin, `/api/runs/${ids.run}`, (body) => body.status !== 'queued' && body.status !== 'running',
    );
    expect(run).toMatchObject({ status: 'success', destinationResults: [{ destinationName: 'Local disk', status: 'success' }] });
    expect(run.bytes).toBeGreaterThan(1000);
    backupKey = run.backupKey;
    expect(backupKey).toMatch(/^App-nightly\/backup_\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.sql\.gz\.enc$/);
    if (twice.status === 202) await pollUntil<{ status: string }>(admin, `/api/runs/${(twice.body as unknown as { id: string }).id}`, (body) => body.status !== 'queued' && body.status !== 'running');

    const logs = await admin.request<{ lines: { seq: number; message: string }[]; lastSeq: number }>('GET', `/api/runs/${ids.run}/logs`);
    expect(logs.body.lines.map((line) => line.message).join('\n')).toContain('Run finished: success');
    const newer = await admin.request<{ lines: unknown[] }>('GET', `/api/runs/${ids.run}/logs?afterSeq=${logs.body.lastSeq}`);
    expect(newer.body.lines).toEqual([]);
    expect((await admin.request<unknown[]>('GET', `/api/runs?jobId=${ids.job}&status=success`)).body.length).toBeGreaterThanOrEqual(1);
    expect((await admin.request('GET', '/api/runs?status=weird')).status).toBe(400);
    expect((await admin.request('GET', `/api/jobs/${ids.job}`)).body).toMatchObject({ lastRun: { status: 'success' } });
  });

  it('shows the run on the dashboard', async () => {
    const dashboard = await admin.request<{ jobs: { name: string; lastRun?: { status: string }; nextRunAt?: string }[]; outcomes: { success: number }[]; sizes: { jobName: string; points: unknown[] }[] }>('GET', '/api/dashboard?tz=Europe/Berlin');
    expect(dashboard.body.jobs).toEqual([expect.objectContaining({ name: 'App nightly', lastRun: expect.objectContaining({ status: 'success' }), nextRunAt: expect.any(String) })]);
    expect(dashboard.body.outcomes).toHaveLength(30);
    expect(dashboard.body.outcomes.at(-1)!.success).toBeGreaterThanOrEqual(1);
    expect(dashboard.body.sizes[0]).toMatchObject({ jobName: 'App nightly', points: [expect.anything()] });
    expect((await admin.request('GET', '/api/dashboard?tz=Mars')).status).toBe(400);
  });
});

describe('storage explorer', () => {
  it('lists the job folder with the encrypted backup', async () => {
    const listing = await admin.request<{ folders: { name: string; jobName: string; backups: { key: string; encrypted: boolean; compression: string; profileName: string }[] }[] }>('GET', `/api/destinations/${ids.destination}/backups`);
    const folder = listing.body.folders.find((f) => f.name === 'App-nightly');
    expect(folder?.jobName).toBe('App nightly');
    expect(folder?.backups.find((b) => b.key === backupKey)).toMatchObject({ encrypted: true, compression: 'gzip', profileName: 'Offsite' });
  });

  it('downloads the stored file byte for byte and the decrypted SQL', async () => {
    const query = `key=${encodeURIComponent(backupKey)}`;
    const stored = await admin.raw(`/api/destinations/${ids.destination}/backups/download?${query}`);
    expect(stored.status).toBe(200);
    expect(stored.headers.get('content-disposition')).toContain(`filename="${path.basename(backupKey)}"`);
    const storedBytes = Buffer.from(await stored.arrayBuffer());
    const onDisk = await readFile(path.join(backupDir, backupKey));
    expect(createHash('sha256').update(storedBytes).digest('hex')).toBe(createHash('sha256').update(onDisk).digest('hex'));
    expect(() => gunzipSync(storedBytes)).toThrow(); // encrypted, not merely gzipped

    const plain = await admin.raw(`/api/destinations/${ids.destination}/backups/download?${query}&mode=decrypted`);
    expect(plain.headers.get('content-disposition')).toMatch(/filename="backup_[\dT-]+\.sql"/);
    const sql = await plain.text();
    expect(sql).toContain('CREATE TABLE customers');
    expect(sql).toContain('Kunde 50 — Grüße ✓');
    expect((await admin.raw(`/api/destinations/${ids.destination}/backups/download?key=x/y.txt`)).status).toBe(400);
  });

  it('verifies the backup and records it', async () => {
    const verified = await admin.request<{ ok: boolean; method: string; verifiedAt: string }>('POST', `/api/destinations/${ids.destination}/backups/verify`, { key: backupKey });
    expect(verified.body).toMatchObject({ ok: true, method: 'content_hash', verifiedAt: expect.any(String) });
    const listing = await admin.request<{ folders: { backups: { key: string; verifiedAt?: string }[] }[] }>('GET', `/api/destinations/${ids.destination}/backups`);
    expect(listing.body.folders.flatMap((f) => f.backups).find((b) => b.key === backupKey)?.verifiedAt).toBe(verified.body.verifiedAt);
  });

  it('restores into a new SQLite file and reports the result', async () => {
    const started = await admin.request<{ id: string; database: string }>('POST', `/api/destinations/${ids.destination}/backups/restore`, { key: backupKey, sourceId: ids.source, database: 'restored', createDatabase: true });
    expect(started.status).toBe(202);
    expect(started.body.database).toBe('restored.sqlite');
    const done = await pollUntil<{ status: string; log: { message: string }[]; error?: { message: string } }>(admin, `/api/restores/${started.body.id}`, (body) => body.status !== 'running');
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('success');
    expect(done.log.map((line) => line.message).join('\n')).toContain('SHA-256 matches the sidecar');
    expect(readCustomers(path.join(dir, 'app', 'restored.sqlite'))).toEqual(readCustomers(dbFile));

    const again = await admin.request<{ id: string }>('POST', `/api/destinations/${ids.destination}/backups/restore`, { key: backupKey, sourceId: ids.source, database: 'restored' });
    const refused = await pollUntil<{ status: string; error?: { message: string } }>(admin, `/api/restores/${again.body.id}`, (body) => body.status !== 'running');
    expect(refused).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('already holds tables') } });
    expect((await admin.request<unknown[]>('GET', '/api/restores')).body).toHaveLength(2);
  });

  it('keeps the restore history across a restart and reports a restore cut short by a crash', async () => {
    interface RestoreView { id: string; status: string; database: string; destinationName: string; options: Record<string, boolean>; error?: { code: string; message: string }; log: { level: string; message: string }[] }
    const before = (await admin.request<RestoreView[]>('GET', '/api/restores')).body;
    expect(before.map((restore) => restore.status)).toEqual(['failed', 'success']);
    // A restore a killed process was running (a process on another host counts as ended).
    const crashed = await app.store.restores.create({
      destinationId: ids.destination, key: backupKey, sourceId: ids.source, sourceName: 'App DB', database: 'half.sqlite',
      options: { createDatabase: true, dropExisting: false, skipOwnership: false }, owner: 'gone-host 4242 1',
    });
    const restarted = app.start({ dropboxApiUrl: undefined }); // a new process on the same data
    const { interruptedRestores } = await restarted.engine.start({ scheduler: false });
    expect(interruptedRestores.map((restore) => restore.id)).toEqual([crashed.id]);

    const history = (await admin.request<RestoreView[]>('GET', '/api/restores')).body;
    expect(history.map((restore) => restore.id)).toEqual([crashed.id, ...before.map((restore) => restore.id)]);
    expect(history[2]).toMatchObject({ status: 'success', database: 'restored.sqlite', destinationName: 'Local disk', options: { createDatabase: true, dropExisting: false, skipOwnership: false } });
    expect(history[2]!.log.map((line) => line.message).join('\n')).toContain('SHA-256 matches the sidecar');
    const message = expect.stringContaining('"half.sqlite" on App DB may be only partly restored');
    expect(history[0]).toMatchObject({ status: 'interrupted', error: { code: 'interrupted', message } });
    const detail = await admin.request<RestoreView>('GET', `/api/restores/${crashed.id}`);
    expect(detail.body.log.at(-1)).toMatchObject({ level: 'error', message });
    expect((await admin.request<RestoreView>('POST', `/api/restores/${crashed.id}/cancel`)).body.status).toBe('interrupted');

    expect((await admin.request<RestoreView[]>('GET', '/api/restores?status=success')).body.map((restore) => restore.id)).toEqual([before[1]!.id]);
    expect((await admin.request<RestoreView[]>('GET', '/api/restores?limit=1')).body.map((restore) => restore.id)).toEqual([crashed.id]);
    expect((await admin.request<FieldError>('GET', '/api/restores?status=exploded')).status).toBe(400);
    expect((await admin.request<FieldError>('GET', '/api/restores/nope')).status).toBe(404);

    // Every field the API returns is in the OpenAPI schema, which documents `interrupted`.
    const doc = await admin.request<{ components: { schemas: Record<string, { properties?: Record<string, unknown>; enum?: string[] }> } }>('GET', '/api/openapi.json');
    const documented = Object.keys(doc.body.components.schemas.RestoreOperation?.properties ?? {});
    for (const field of Object.keys(history[0]!)) expect(documented).toContain(field);
    expect(doc.body.components.schemas.RestoreStatus?.enum).toContain('interrupted');
  });
});

describe('refusals and deletion', () => {
  it('refuses to delete a profile or source in use, naming the job; exports and re-imports keys', async () => {
    const profileDelete = await admin.request<FieldError>('DELETE', `/api/profiles/${ids.profile}`);
    expect(profileDelete.status).toBe(409);
    expect(profileDelete.body.error.message).toContain('App nightly');
    const sourceDelete = await admin.request<FieldError>('DELETE', `/api/sources/${ids.source}`);
    expect(sourceDelete.status).toBe(409);
    expect(sourceDelete.body.error.message).toContain('"App nightly"');

    const exported = await admin.request<{ fileName: string; contents: string; warning: string }>('POST', `/api/profiles/${ids.profile}/export`);
    expect(exported.body.warning).toContain('Anyone with this key file');
    const reimport = await admin.request<FieldError>('POST', '/api/profiles/import', { keyFile: exported.body.contents });
    expect(reimport.status).toBe(409);
    expect((await admin.request('PUT', `/api/profiles/${ids.profile}`, { name: 'Offsite 2024' })).body).toMatchObject({ name: 'Offsite 2024' });
  });

  it('requires the CSRF token on state changes', async () => {
    const response = await admin.request('POST', `/api/jobs/${ids.job}/run`, undefined, { 'x-csrf-token': 'forged' });
    expect(response.status).toBe(403);
  });

  it('deletes a backup with its sidecar, then the job', async () => {
    const response = await admin.request('DELETE', `/api/destinations/${ids.destination}/backups?key=${encodeURIComponent(backupKey)}`);
    expect(response.status).toBe(204);
    const left = await readdir(path.join(backupDir, 'App-nightly'));
    expect(left.filter((name) => name.startsWith(path.basename(backupKey)))).toEqual([]);
    expect((await admin.request('DELETE', `/api/jobs/${ids.job}`)).status).toBe(204);
    expect((await admin.request('GET', `/api/jobs/${ids.job}`)).status).toBe(404);
  });
});
