import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiClient, consent, type ApiClient } from './support/api-client.ts';
import { ALICE, APP, BOB, MISMATCH_APP, NO_ACCOUNT_SCOPE_APP, NO_LIST_SCOPE_APP, startEmulatorFixture, type EmulatorFixture } from './support/emulator-fixture.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

let app: TestApp;
let fixture: EmulatorFixture;
let admin: ApiClient;
/** Everything the app wrote to the console during this file, to prove no secret reaches logs. */
const logged: string[] = [];
const PASSWORD = 'correct horse battery';

interface Destination {
  id: string;
  name: string;
  config: Record<string, string>;
  secrets: Record<string, boolean>;
}

beforeAll(async () => {
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((arg) => (arg instanceof Error ? `${arg.stack} ${String(arg.cause)}` : typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    });
  }
  app = await createTestApp();
  fixture = await startEmulatorFixture(app.redirectUri);
  app.start({ dropboxApiUrl: fixture.emulator.url });
  admin = createApiClient(app.url);
  expect((await admin.request('POST', '/api/setup', { username: 'admin', password: PASSWORD })).status).toBe(201);
  await fixture.createFolders(ALICE.email, ['/Backups', '/Backups/db1', '/Backups/db2', '/Photos']);
});

afterAll(async () => {
  await app?.close();
  await fixture?.emulator.close();
});

async function createDropbox(name: string, key = APP.key, secret = APP.secret, folderPath = ''): Promise<Destination> {
  const response = await admin.request<Destination>('POST', '/api/destinations', { type: 'dropbox', name, config: { folderPath }, secrets: { appKey: key, appSecret: secret } });
  expect(response.status).toBe(201);
  return response.body;
}

async function startAuthorization(client: ApiClient, id: string): Promise<URL> {
  const response = await client.request<{ authorizeUrl: string }>('POST', `/api/destinations/${id}/authorize`);
  expect(response.status).toBe(200);
  return new URL(response.body.authorizeUrl);
}

/** Follows the callback like the browser and returns the outcome flags of the final redirect. */
async function callback(client: ApiClient, location: string): Promise<URLSearchParams> {
  const url = new URL(location);
  const response = await client.raw(url.pathname + url.search);
  expect(response.status).toBe(303);
  const target = new URL(response.headers.get('location') ?? '');
  expect(target.origin + target.pathname).toBe(`${app.url}/destinations`);
  return target.searchParams;
}

/** HTTP status of a refresh at the emulator's token endpoint (400 once the token is revoked). */
async function refreshStatus(refreshToken: string): Promise<number> {
  const response = await fetch(`${fixture.emulator.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: APP.key, client_secret: APP.secret }).toString(),
  });
  return response.status;
}

async function authorize(client: ApiClient, id: string, account = ALICE.email): Promise<URLSearchParams> {
  const decision = await consent((await startAuthorization(client, id)).href, 'allow', account);
  expect(decision.location).toBeDefined();
  return callback(client, decision.location ?? '');
}

describe('destinations API', () => {
  it('validates every field and names the problem per field', async () => {
    const empty = await admin.request('POST', '/api/destinations', { type: 'dropbox', name: '', config: {}, secrets: {} });
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ error: { details: { fields: { name: 'Name is required.', appKey: 'App Key is required.', appSecret: 'App Secret is required.' } } } });
    for (const [folderPath, fragment] of [['backups', 'Start the folder path with "/"'], ['/backups/', 'trailing'], ['/a/../b', '".."'], ['/x/.dropbox', 'refuses']]) {
      const bad = await admin.request('POST', '/api/destinations', { type: 'dropbox', name: 'x', config: { folderPath }, secrets: { appKey: 'k', appSecret: 's' } });
      expect(bad.status, folderPath).toBe(400);
      expect((bad.body as { error: { details: { fields: { folderPath: string } } } }).error.details.fields.folderPath, folderPath).toContain(fragment);
    }
    const local = await admin.request('POST', '/api/destinations', { type: 'local', name: 'disk', config: { path: 'relative' } });
    expect(JSON.stringify(local.body)).toContain('absolute');
  });

  it('never returns a secret, and keeps stored secrets when left blank on edit', async () => {
    const created = await createDropbox('Secrets', APP.key, APP.secret, '/Backups');
    expect(created.secrets).toEqual({ appKey: true, appSecret: true });
    for (const response of [await admin.request('GET', '/api/destinations'), await admin.request('GET', `/api/destinations/${created.id}`)]) {
      expect(response.text).not.toContain(APP.secret);
      expect(response.text).not.toContain(APP.key);
    }
    const edited = await admin.request<Destination>('PUT', `/api/destinations/${created.id}`, { type: 'dropbox', name: 'Secrets 2', config: { folderPath: '/Photos' }, secrets: { appKey: '', appSecret: '' } });
    expect(edited.status).toBe(200);
    expect(edited.text).not.toContain(APP.secret);
    const stored = await app.store.destinations.get(created.id);
    expect(stored?.secrets.appSecret?.reveal()).toBe(APP.secret);
    expect(stored?.config.folderPath).toBe('/Photos');
    expect((await admin.request('PUT', `/api/destinations/${created.id}`, { type: 'local', name: 'x', config: { path: '/tmp' } })).status).toBe(400);
    expect((await admin.request('DELETE', `/api/destinations/${created.id}`)).status).toBe(204);
    expect((await admin.request('GET', `/api/destinations/${created.id}`)).status).toBe(404);
  });
});

describe('Dropbox authorization', () => {
  it('builds the authorize URL with single-use state, PKCE S256 and offline access', async () => {
    const destination = await createDropbox('Flow');
    const status = await admin.request('GET', `/api/destinations/${destination.id}/status`);
    expect(status.body).toMatchObject({ state: 'authorization_required', hasToken: false });
    expect((await admin.request('GET', `/api/destinations/${destination.id}/folders?path=`)).status).toBe(409);

    const url = await startAuthorization(admin, destination.id);
    expect(url.origin + url.pathname).toBe(`${fixture.emulator.url}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: APP.key,
      response_type: 'code',
      redirect_uri: app.redirectUri,
      token_access_type: 'offline',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const decision = await consent(url.href, 'allow', ALICE.email);
    const result = await callback(admin, decision.location ?? '');
    expect(Object.fromEntries(result)).toEqual({ oauth: 'success', destination: destination.id, account: ALICE.name });
    // The emulator accepted the exchange only with the right PKCE verifier; the status proves it live.
    const live = await admin.request('GET', `/api/destinations/${destination.id}/status`);
    expect(live.body).toMatchObject({ state: 'authorized', hasToken: true, account: { name: ALICE.name, email: ALICE.email }, usage: { used: expect.any(Number) } });
    expect(live.text).not.toContain((await app.store.destinations.get(destination.id))?.secrets.refreshToken?.reveal());

    // Replaying the same callback: the state is single-use.
    const replay = await callback(admin, decision.location ?? '');
    expect(replay.get('oauth')).toBe('error');
    expect(replay.get('message')).toContain('already used');
  });

  it('uses PKCE: the emulator refuses the code with a wrong verifier', async () => {
    const destination = await createDropbox('PKCE');
    const url = await startAuthorization(admin, destination.id);
    const decision = await consent(url.href, 'allow', ALICE.email);
    const code = new URL(decision.location ?? '').searchParams.get('code') ?? '';
    const exchange = (verifier: string) =>
      fetch(`${fixture.emulator.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: app.redirectUri, client_id: APP.key, client_secret: APP.secret, code_verifier: verifier }).toString(),
      });
    expect((await exchange('x'.repeat(64))).status).toBe(400);
  });

  it('refuses a callback without state, without a session, or from another user', async () => {
    const destination = await createDropbox('Bound');
    expect((await callback(admin, `${app.redirectUri}?code=abc`)).get('message')).toContain('no state parameter');

    const url = await startAuthorization(admin, destination.id);
    const decision = await consent(url.href, 'allow', ALICE.email);
    const anonymous = createApiClient(app.url);
    expect((await callback(anonymous, decision.location ?? '')).get('message')).toContain('Sign in again');

    const passwordHash = (await app.store.users.findByUsername('admin'))?.passwordHash ?? '';
    await app.store.users.create({ username: 'operator', passwordHash });
    const operator = createApiClient(app.url);
    expect((await operator.request('POST', '/api/session', { username: 'operator', password: PASSWORD })).status).toBe(200);
    expect((await callback(operator, decision.location ?? '')).get('message')).toContain('another DBackup user');
    // Still valid for its owner afterwards.
    expect((await callback(admin, decision.location ?? '')).get('oauth')).toBe('success');
  });

  it('reports Deny, a wrong App Secret and a missing scope with what to do', async () => {
    const denied = await createDropbox('Denied');
    const deny = await consent((await startAuthorization(admin, denied.id)).href, 'deny', ALICE.email);
    const denyResult = await callback(admin, deny.location ?? '');
    expect(denyResult.get('oauth')).toBe('error');
    expect(denyResult.get('message')).toContain('Deny');

    const wrongSecret = await createDropbox('Wrong secret', APP.key, 'not-the-secret');
    const wrong = await authorize(admin, wrongSecret.id);
    expect(wrong.get('message')).toContain('rejected the App Key or App Secret');
    expect(wrong.get('message')).toContain(app.redirectUri);

    const noScope = await createDropbox('No scope', NO_ACCOUNT_SCOPE_APP.key, NO_ACCOUNT_SCOPE_APP.secret);
    const scope = await authorize(admin, noScope.id);
    expect(scope.get('message')).toContain("'account_info.read'");
    expect((await app.store.destinations.get(noScope.id))?.secrets.refreshToken).toBeUndefined();
  });

  it('names a scope the authorization lacks in the live status', async () => {
    const destination = await createDropbox('No list scope', NO_LIST_SCOPE_APP.key, NO_LIST_SCOPE_APP.secret);
    expect((await authorize(admin, destination.id)).get('oauth')).toBe('success');
    const status = await admin.request('GET', `/api/destinations/${destination.id}/status`);
    expect(status.body).toMatchObject({ state: 'authorization_required', reason: 'missing_scope', requiredScope: 'files.metadata.read', message: expect.stringContaining("'files.metadata.read'") });
  });

  it('drops (and revokes) the authorization when a new App Key is saved', async () => {
    const destination = await createDropbox('New key');
    await authorize(admin, destination.id);
    const token = (await app.store.destinations.get(destination.id))?.secrets.refreshToken?.reveal();
    expect(token).toBeDefined();
    const edited = await admin.request('PUT', `/api/destinations/${destination.id}`, { type: 'dropbox', name: 'New key', config: {}, secrets: { appKey: NO_LIST_SCOPE_APP.key, appSecret: NO_LIST_SCOPE_APP.secret } });
    expect(edited.status).toBe(200);
    expect((await admin.request('GET', `/api/destinations/${destination.id}/status`)).body).toMatchObject({ state: 'authorization_required', hasToken: false });
    expect(await refreshStatus(token ?? '')).toBe(400);
  });

  it('shows the Dropbox error page for an unregistered redirect URI, and the dialog info names the URL to register', async () => {
    const mismatch = await createDropbox('Mismatch', MISMATCH_APP.key, MISMATCH_APP.secret);
    const page = await consent((await startAuthorization(admin, mismatch.id)).href, 'allow', ALICE.email);
    expect(page.location).toBeUndefined();
    expect(page.html).toContain('redirect_uri');
    expect((await admin.request('GET', '/api/adapters/dropbox')).body).toEqual({ redirectUri: app.redirectUri });
  });

  it('re-authorizes with another account and revokes the previous token', async () => {
    const destination = await createDropbox('Switch');
    await authorize(admin, destination.id, ALICE.email);
    const first = (await app.store.destinations.get(destination.id))?.secrets.refreshToken?.reveal() ?? '';
    const url = await startAuthorization(admin, destination.id);
    expect(url.searchParams.get('force_reapprove')).toBe('true');
    const decision = await consent(url.href, 'allow', BOB.email);
    expect((await callback(admin, decision.location ?? '')).get('account')).toBe(BOB.name);
    expect((await admin.request('GET', `/api/destinations/${destination.id}/status`)).body).toMatchObject({ state: 'authorized', account: { name: BOB.name } });

    expect(await refreshStatus(first)).toBe(400);
    const current = (await app.store.destinations.get(destination.id))?.secrets.refreshToken?.reveal() ?? '';
    expect(await refreshStatus(current)).toBe(200);
  });

  it('refuses a state older than 10 minutes', async () => {
    const destination = await createDropbox('Slow');
    const decision = await consent((await startAuthorization(admin, destination.id)).href, 'allow', ALICE.email);
    app.advanceClock(10 * 60 * 1000 + 1000);
    try {
      expect((await callback(admin, decision.location ?? '')).get('message')).toContain('expired');
    } finally {
      app.advanceClock(-(10 * 60 * 1000 + 1000));
    }
  });

  it('turns amber with the reason when the token is revoked in Dropbox', async () => {
    const destination = await createDropbox('Revoked', APP.key, APP.secret);
    await authorize(admin, destination.id);
    await fixture.control.revokeApp(APP.key);
    const status = await admin.request('GET', `/api/destinations/${destination.id}/status`);
    expect(status.body).toMatchObject({ state: 'authorization_required', hasToken: true, reason: 'revoked', message: expect.stringContaining('Re-authorize') });
  });
});

describe('folder browser and connection test', () => {
  let id: string;

  beforeAll(async () => {
    id = (await createDropbox('Browse', APP.key, APP.secret)).id;
    await authorize(admin, id);
  });

  it('lists one level of folders only, and rejects invalid paths', async () => {
    const root = await admin.request<{ path: string; folders: { name: string; path: string }[] }>('GET', `/api/destinations/${id}/folders?path=`);
    expect(root.status).toBe(200);
    expect(root.body.folders.map((folder) => folder.path)).toEqual(expect.arrayContaining(['/Backups', '/Photos']));
    const backups = await admin.request<{ folders: { path: string }[] }>('GET', `/api/destinations/${id}/folders?path=${encodeURIComponent('/Backups')}`);
    expect(backups.body.folders.map((folder) => folder.path)).toEqual(['/Backups/db1', '/Backups/db2']);
    const empty = await admin.request<{ folders: unknown[] }>('GET', `/api/destinations/${id}/folders?path=${encodeURIComponent('/Backups/db1')}`);
    expect(empty.body.folders).toEqual([]);
    expect((await admin.request('GET', `/api/destinations/${id}/folders?path=${encodeURIComponent('/a/../b')}`)).status).toBe(400);
  });

  it('lists folders past one page of 2,000 entries', async () => {
    const names = Array.from({ length: 2050 }, (_, i) => `/Many/f${String(i).padStart(4, '0')}`);
    for (let i = 0; i < names.length; i += 50) await fixture.createFolders(ALICE.email, names.slice(i, i + 50));
    const many = await admin.request<{ folders: { name: string }[] }>('GET', `/api/destinations/${id}/folders?path=${encodeURIComponent('/Many')}`);
    expect(many.body.folders).toHaveLength(2050);
    expect(many.body.folders.at(-1)?.name).toBe('f2049');
  });

  it('tests the connection: account, folder (created) and write/delete', async () => {
    const saved = await admin.request('PUT', `/api/destinations/${id}`, { type: 'dropbox', name: 'Browse', config: { folderPath: '/Backups/new-folder' }, secrets: {} });
    expect(saved.status).toBe(200);
    const report = await admin.request('POST', `/api/destinations/${id}/test`);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ account: { name: ALICE.name }, folder: { path: '/Backups/new-folder', created: true }, writeDelete: 'ok' });
  });
});

describe('logs', () => {
  it('never contain App Secrets or tokens', async () => {
    const secrets = [APP.secret, NO_ACCOUNT_SCOPE_APP.secret, NO_LIST_SCOPE_APP.secret, MISMATCH_APP.secret];
    for (const destination of await app.store.destinations.list()) {
      const token = destination.secrets.refreshToken?.reveal();
      if (token) secrets.push(token);
    }
    expect(secrets.length).toBeGreaterThan(4);
    for (const line of logged) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
