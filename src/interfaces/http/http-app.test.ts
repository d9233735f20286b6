import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBackupError } from '../../core/errors.ts';
import { sessionCookie } from './cookies.ts';
import { csrfTokenFor } from './csrf.ts';
import { createHttpApp, type HttpApp } from './http-app.ts';
import { readJsonObject } from './json.ts';
import { healthRoutes } from './routes/health.routes.ts';

let dir: string;
let app: HttpApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dbackup-http-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>DBackup</title>');
  await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(path.dirname(dir), 'outside.txt'), 'secret');
  app = createHttpApp({
    staticDir: dir,
    logError: () => {},
    principals: {
      bySessionToken: async (token) => (token === 'good-session' ? { userId: 'u1', username: 'admin', via: 'session' } : undefined),
      byApiToken: async (token) => (token === 'good-token' ? { userId: 'u1', username: 'admin', via: 'token' } : undefined),
    },
    routes: [
      ...healthRoutes('1.2.3'),
      { method: 'POST', path: '/api/things/:id', access: 'user', handler: (c) => Response.json({ id: c.params.id, by: c.principal?.via }) },
      { method: 'POST', path: '/api/echo', access: 'public', handler: async (c) => Response.json(await readJsonObject(c.request)) },
      { method: 'GET', path: '/api/callback', access: 'session', handler: () => Response.json({ ok: true }) },
      { method: 'GET', path: '/api/boom', access: 'public', handler: () => { throw new DBackupError('rate_limited', 'Slow down.', { retryAfterSeconds: 7 }); } },
      { method: 'GET', path: '/api/crash', access: 'public', handler: () => { throw new Error('internal detail'); } },
    ],
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (p: string, init?: RequestInit) => app.handle(new Request(`http://localhost${p}`, init));

describe('http app', () => {
  it('answers health without authentication', async () => {
    const response = await get('/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: '1.2.3' });
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('maps DBackupError codes to status and a JSON error body', async () => {
    const response = await get('/api/boom');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ error: { code: 'rate_limited', message: 'Slow down.' } });
  });

  it('hides unexpected error details', async () => {
    const response = await get('/api/crash');
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain('internal detail');
  });

  it('returns 404 for unknown API routes and 405 for a wrong method', async () => {
    expect((await get('/api/nope')).status).toBe(404);
    expect((await get('/api/health', { method: 'DELETE' })).status).toBe(405);
  });

  it('requires authentication and CSRF for session callers', async () => {
    expect((await get('/api/things/1', { method: 'POST' })).status).toBe(401);
    const cookie = { cookie: 'dbackup_session=good-session' };
    const noCsrf = await get('/api/things/1', { method: 'POST', headers: cookie });
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error.code).toBe('csrf');
    const ok = await get('/api/things/a%20b', { method: 'POST', headers: { ...cookie, 'x-csrf-token': csrfTokenFor('good-session') } });
    expect(await ok.json()).toEqual({ id: 'a b', by: 'session' });
  });

  it('accepts API tokens without CSRF, but not on session-only routes', async () => {
    const ok = await get('/api/things/1', { method: 'POST', headers: { authorization: 'Bearer good-token' } });
    expect(await ok.json()).toEqual({ id: '1', by: 'token' });
    expect((await get('/api/things/1', { method: 'POST', headers: { authorization: 'Bearer bad' } })).status).toBe(401);
    expect((await get('/api/callback', { headers: { authorization: 'Bearer good-token' } })).status).toBe(401);
  });

  it('reads JSON bodies up to 1 MiB and refuses larger ones and other content types', async () => {
    const post = (body: string, type = 'application/json') => get('/api/echo', { method: 'POST', headers: { 'content-type': type }, body });
    expect(await (await post('{"a":1}')).json()).toEqual({ a: 1 });
    expect((await post('x'.repeat(1024 * 1024 + 10))).status).toBe(413);
    expect((await post('{"a":1}', 'text/plain')).status).toBe(400);
    expect((await post('[1]')).status).toBe(400);
  });

  it('marks the session cookie Secure only under https, and clears it with Max-Age=0', () => {
    expect(sessionCookie('v', { maxAgeSeconds: 60, secure: true })).toBe('dbackup_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure');
    expect(sessionCookie('', { maxAgeSeconds: 0, secure: false })).toBe('dbackup_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
  });

  it('serves the UI with SPA fallback and never outside its folder', async () => {
    expect(await (await get('/assets/app.js')).text()).toBe('console.log(1)');
    const spa = await get('/destinations');
    expect(spa.headers.get('content-type')).toContain('text/html');
    expect(await spa.text()).toContain('DBackup');
    expect((await get('/assets/missing.js')).status).toBe(404);
    const escape = await get('/..%2foutside.txt');
    expect(await escape.text()).not.toBe('secret');
  });
});
