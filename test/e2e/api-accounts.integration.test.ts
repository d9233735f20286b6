import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.ts';
import { createOpenApiDocument } from '../../src/interfaces/http/openapi.ts';
import { createApiClient, type ApiClient } from './support/api-client.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

let app: TestApp;
let admin: ApiClient;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  app = await createTestApp();
  app.start({ dropboxApiUrl: 'http://127.0.0.1:9' });
  admin = createApiClient(app.url);
});

afterAll(async () => {
  await app?.close();
});

describe('first run and sessions', () => {
  it('serves health without authentication', async () => {
    const response = await createApiClient(app.url).request('GET', '/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok' });
  });

  it('requires authentication on every route except health, setup, login and the OAuth callback', async () => {
    const anonymous = createApiClient(app.url);
    const open = new Set(['GET /api/health', 'GET /api/setup', 'POST /api/setup', 'POST /api/session', 'GET /api/adapters/dropbox/callback']);
    for (const route of app.http().router.routes) {
      const key = `${route.method} ${route.path}`;
      if (open.has(key)) continue;
      const response = await anonymous.request(route.method, route.path.replace(':id', 'some-id'), route.method === 'GET' ? undefined : {});
      expect(response.status, key).toBe(401);
      expect((response.body as { error: { code: string } }).error.code, key).toBe('unauthenticated');
    }
  });

  it('offers setup until the admin exists, validates it, and then refuses a second setup', async () => {
    expect((await admin.request('GET', '/api/setup')).body).toEqual({ needed: true });
    const weak = await admin.request('POST', '/api/setup', { username: 'admin', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ error: { code: 'invalid_input', details: { fields: { password: expect.stringContaining('10') } } } });

    const created = await admin.request('POST', '/api/setup', { username: 'admin', password: PASSWORD });
    expect(created.status).toBe(201);
    const cookie = created.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^dbackup_session=dbks_/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain('Secure');
    expect(created.body).toMatchObject({ user: { username: 'admin' }, csrfToken: expect.any(String) });

    expect((await admin.request('GET', '/api/setup')).body).toEqual({ needed: false });
    const again = await createApiClient(app.url).request('POST', '/api/setup', { username: 'evil', password: PASSWORD });
    expect(again.status).toBe(409);
  });

  it('signs in, reports the session with its CSRF token, and signs out', async () => {
    const browser = createApiClient(app.url);
    expect((await browser.request('POST', '/api/session', { username: 'admin', password: 'wrong password' })).status).toBe(401);
    const login = await browser.request('POST', '/api/session', { username: 'ADMIN', password: PASSWORD });
    expect(login.status).toBe(200);
    const session = await browser.request('GET', '/api/session');
    expect(session.body).toMatchObject({ user: { username: 'admin' }, csrfToken: browser.csrfToken, via: 'session' });
    expect((await browser.request('DELETE', '/api/session')).status).toBe(204);
    expect(browser.cookie).toBeUndefined();
    const stale = createApiClient(app.url);
    stale.cookie = login.headers.getSetCookie()[0]?.split(';')[0];
    expect((await stale.request('GET', '/api/session')).status).toBe(401);
  });

  it('rate-limits failed sign-ins per address and username with a clear 429', async () => {
    const attacker = createApiClient(app.url);
    for (let i = 0; i < 5; i++) {
      expect((await attacker.request('POST', '/api/session', { username: 'ghost', password: 'guess-' + i })).status).toBe(401);
    }
    const blocked = await attacker.request('POST', '/api/session', { username: 'ghost', password: 'guess-6' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.text).toContain('Too many failed sign-in attempts');
    // Another username from the same address is not affected.
    expect((await attacker.request('POST', '/api/session', { username: 'admin', password: PASSWORD })).status).toBe(200);
  });

  it('behind a trusted proxy (TRUST_PROXY=1) limits each client by its forwarded address; without it a forged header changes nothing', async () => {
    const proxied = await createTestApp({ trustedProxies: 1 });
    try {
      proxied.start({ dropboxApiUrl: 'http://127.0.0.1:9' });
      const fail = (client: ApiClient, address: string) => client.request('POST', '/api/session', { username: 'ghost', password: 'guess' }, { 'x-forwarded-for': address });
      const attacker = createApiClient(proxied.url);
      for (let i = 0; i < 5; i++) expect((await fail(attacker, '203.0.113.66')).status).toBe(401);
      expect((await fail(attacker, '203.0.113.66')).status).toBe(429);
      // Another user behind the same proxy is not locked out by the attacker.
      expect((await fail(createApiClient(proxied.url), '198.51.100.20')).status).toBe(401);
    } finally {
      await proxied.close();
    }
    // Not behind a trusted proxy: the header is the client's own claim and is ignored.
    const direct = createApiClient(app.url);
    for (let i = 0; i < 5; i++) {
      expect((await direct.request('POST', '/api/session', { username: 'forger', password: 'guess' }, { 'x-forwarded-for': `192.0.2.${i}` })).status).toBe(401);
    }
    expect((await direct.request('POST', '/api/session', { username: 'forger', password: 'guess' }, { 'x-forwarded-for': '192.0.2.99' })).status).toBe(429);
  });

  it('refuses non-JSON bodies, which keeps cross-site form posts out of login', async () => {
    const response = await createApiClient(app.url).request('POST', '/api/session', 'username=admin&password=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(400);
  });
});

describe('CSRF and API tokens', () => {
  it('rejects state changes without the session CSRF token', async () => {
    const browser = createApiClient(app.url);
    await browser.request('POST', '/api/session', { username: 'admin', password: PASSWORD });
    const body = { type: 'local', name: 'disk', config: { path: '/tmp/x' } };
    const missing = await browser.request('POST', '/api/destinations', body, { 'x-csrf-token': '' });
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ error: { code: 'csrf' } });
    const wrong = await browser.request('POST', '/api/destinations', body, { 'x-csrf-token': 'a'.repeat(43) });
    expect(wrong.status).toBe(403);
    // Reads need no token.
    expect((await browser.request('GET', '/api/destinations')).status).toBe(200);
  });

  it('creates a token shown once, accepts it as Bearer without CSRF, and revokes it', async () => {
    const created = await admin.request<{ id: string; token: string; prefix: string }>('POST', '/api/tokens', { name: 'nightly' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^dbk_/);
    expect(created.body.token.startsWith(created.body.prefix)).toBe(true);
    const list = await admin.request('GET', '/api/tokens');
    expect(list.text).toContain('nightly');
    expect(list.text).not.toContain(created.body.token);

    const script = createApiClient(app.url);
    script.bearer = created.body.token;
    const made = await script.request('POST', '/api/destinations', { type: 'local', name: 'by token', config: { path: '/tmp/dbackup-token-test' } });
    expect(made.status).toBe(201);
    expect((await script.request('GET', '/api/session')).body).toMatchObject({ via: 'token' });
    expect((await script.request('DELETE', '/api/session')).status).toBe(401);

    expect((await admin.request('DELETE', `/api/tokens/${created.body.id}`)).status).toBe(204);
    expect((await script.request('GET', '/api/destinations')).status).toBe(401);
    expect((await admin.request('DELETE', `/api/tokens/${created.body.id}`)).status).toBe(404);
    expect((await admin.request('POST', '/api/tokens', { name: '' })).status).toBe(400);
  });
});

describe('Dropbox unreachable', () => {
  it('reports the status as an error that names the unreachable server', async () => {
    const created = await admin.request<{ id: string }>('POST', '/api/destinations', { type: 'dropbox', name: 'Offline', config: {}, secrets: { appKey: 'k1', appSecret: 's1' } });
    await app.store.destinations.setAuthorization(created.body.id, { refreshToken: new Secret('refresh-token-x'), accountId: 'dbid:x', accountName: 'X' });
    const status = await admin.request('GET', `/api/destinations/${created.body.id}/status`);
    expect(status.body).toMatchObject({ state: 'error', reason: 'unreachable', message: expect.stringContaining('Cannot reach the Dropbox API at http://127.0.0.1:9') });
  });
});

describe('OpenAPI document', () => {
  it('is served to signed-in callers and lists exactly the routes the router serves', async () => {
    const response = await admin.request<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const documented = Object.entries(response.body.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    const served = app.http().router.routes.map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...documented].sort()).toEqual([...served].sort());
    expect(createOpenApiDocument('x')).toEqual({ ...response.body, info: { ...(response.body as unknown as { info: object }).info, version: 'x' } });
  });
});
