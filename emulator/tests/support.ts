/**
 * Shared helpers for the emulator's own tests: an emulator on port 0 with a fixed config, the
 * host-rewriting fetch that real clients use, SDK clients, and a raw HTTP helper.
 */
import { createHash } from 'node:crypto';
import { Dropbox } from 'dropbox';
import { ALL_SCOPES, startEmulator, type EmulatorConfig, type RunningEmulator } from '../src/index.ts';
import { createEmulatorControl, type EmulatorControl } from '../src/control-client.ts';

export const APP_FOLDER_APP = { key: 'appfolder-key', secret: 'appfolder-secret', name: 'Backup Tester', redirectUris: ['http://localhost:3000/callback', 'http://127.0.0.1:9/cb?x=1'], accessType: 'app_folder' as const, scopes: ALL_SCOPES, appFolderName: 'DBackup Test' };
export const FULL_APP = { key: 'full-key', secret: 'full-secret', name: 'Full Tester', redirectUris: ['http://localhost:3000/callback'], accessType: 'full_dropbox' as const, scopes: ALL_SCOPES };
export const ANN = { name: 'Ann Tester', email: 'ann@example.com', quotaBytes: 64 * 1024 * 1024 };
export const BOB = { name: 'Bob Other', email: 'bob@example.com' };

export function testConfig(extra: Partial<EmulatorConfig> = {}): EmulatorConfig {
  return { apps: [APP_FOLDER_APP, FULL_APP], accounts: [ANN, BOB], ...extra };
}

export interface TestEmulator {
  emulator: RunningEmulator;
  url: string;
  control: EmulatorControl;
  /** fetch that sends Dropbox's https hosts to the emulator, keeping the path. */
  fetch: typeof fetch;
  /** SDK client for an app + account, authorised through the control API's minted refresh token. */
  client(appKey?: string, email?: string, scopes?: string[]): Promise<Dropbox>;
  /** Access token for raw HTTP calls. */
  token(appKey?: string, email?: string, scopes?: string[]): Promise<string>;
  close(): Promise<void>;
}

const DROPBOX_ORIGINS = /^https:\/\/(api\.dropboxapi\.com|content\.dropboxapi\.com|www\.dropbox\.com|dropbox\.com)(?=\/)/;

export function rewritingFetch(baseUrl: string): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return fetch(url.replace(DROPBOX_ORIGINS, baseUrl), init);
  }) as typeof fetch;
}

export async function startTestEmulator(extra: Partial<EmulatorConfig> = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ config: testConfig(extra) });
  const control = createEmulatorControl(emulator.url);
  const rewriting = rewritingFetch(emulator.url);
  const appSecret = (key: string): string => (key === FULL_APP.key ? FULL_APP.secret : APP_FOLDER_APP.secret);
  return {
    emulator,
    url: emulator.url,
    control,
    fetch: rewriting,
    async client(appKey = APP_FOLDER_APP.key, email = ANN.email, scopes) {
      const minted = await control.mintTokens({ appKey, accountEmail: email, ...(scopes ? { scopes } : {}) });
      return new Dropbox({ fetch: rewriting, refreshToken: minted.refreshToken, clientId: appKey, clientSecret: appSecret(appKey) });
    },
    async token(appKey = APP_FOLDER_APP.key, email = ANN.email, scopes) {
      return (await control.mintTokens({ appKey, accountEmail: email, ...(scopes ? { scopes } : {}) })).accessToken;
    },
    close: () => emulator.close(),
  };
}

/** Raw call to `/2/<route>` with a JSON body (rpc) — returns status, headers and parsed body. */
export async function rpc(url: string, token: string, route: string, arg?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const init: RequestInit = { method: 'POST', headers: { Authorization: `Bearer ${token}`, ...headers } };
  if (arg !== undefined) {
    init.body = JSON.stringify(arg);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const response = await fetch(`${url}/2/${route}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text errors stay text
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Raw upload-style call: arg in Dropbox-API-Arg, bytes in the body. */
export async function content(url: string, token: string, route: string, arg: unknown, body: Uint8Array | undefined, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const response = await fetch(`${url}/2/${route}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'Dropbox-API-Arg': httpHeaderSafe(arg), ...headers },
    ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

export function httpHeaderSafe(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Independent reference implementation of Dropbox's content hash (written from the public
 * description, not shared with the code under test): SHA-256 over the SHA-256 of each 4 MiB block.
 */
export function referenceContentHash(data: Uint8Array): string {
  const block = 4 * 1024 * 1024;
  const digests: Buffer[] = [];
  for (let i = 0; i < data.length; i += block) digests.push(createHash('sha256').update(data.subarray(i, i + block)).digest());
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}

/** Deterministic pseudo-random bytes (fast, no crypto), so sizes over a block boundary are cheap. */
export function patternBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Status and parsed error of a rejected SDK call. */
export async function sdkError(promise: Promise<unknown>): Promise<{ status: number; error: unknown; headers: Headers }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; error?: unknown; headers?: Headers };
    if (typeof e.status !== 'number') throw error;
    return { status: e.status, error: e.error, headers: e.headers as Headers };
  }
  throw new Error('expected the call to fail');
}
