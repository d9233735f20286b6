import { readFile } from 'node:fs/promises';
import type { EmulatorAccount, EmulatorApp, EmulatorConfig } from './index.ts';
import { ALL_SCOPES } from './scopes.ts';

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 14_400;
export const DEFAULT_MAX_REQUEST_BYTES = 150 * 1024 * 1024;
export const DEFAULT_UPLOAD_SESSION_TTL_SECONDS = 7 * 24 * 3600;
export const DEFAULT_AUTHORIZATION_CODE_TTL_SECONDS = 600;
/** Dropbox Basic (free) plan. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 * 1024 * 1024;

export interface ResolvedApp {
  key: string;
  secret: string;
  name: string;
  redirectUris: string[];
  accessType: 'app_folder' | 'full_dropbox';
  /** Mutable: the control API can change an app's scopes. */
  scopes: string[];
  appFolderName: string;
}

export interface ResolvedAccount {
  name: string;
  email: string;
  quotaBytes: number;
}

export interface ResolvedConfig {
  apps: ResolvedApp[];
  accounts: ResolvedAccount[];
  dataDir: string | undefined;
  accessTokenTtlSeconds: number;
  maxRequestBytes: number;
  uploadSessionTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
}

function fail(message: string): never {
  throw new Error(`invalid emulator config: ${message}`);
}

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(`${name} must be a positive number`);
  return value;
}

function resolveApp(app: EmulatorApp, index: number): ResolvedApp {
  const at = `apps[${index}]`;
  for (const field of ['key', 'secret', 'name'] as const) {
    if (typeof app[field] !== 'string' || app[field] === '') fail(`${at}.${field} must be a non-empty string`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(app.key) || !/^[A-Za-z0-9._-]+$/.test(app.secret)) {
    fail(`${at}: key and secret may only contain [A-Za-z0-9._-] (the SDK puts them in URLs unencoded)`);
  }
  if (app.accessType !== 'app_folder' && app.accessType !== 'full_dropbox') fail(`${at}.accessType must be app_folder or full_dropbox`);
  if (!Array.isArray(app.redirectUris) || app.redirectUris.some((u) => typeof u !== 'string')) fail(`${at}.redirectUris must be a list of strings`);
  if (!Array.isArray(app.scopes) || app.scopes.some((s) => typeof s !== 'string' || !/^[a-z_.]+$/.test(s))) {
    fail(`${at}.scopes must be a list of scope names such as ${ALL_SCOPES.join(', ')}`);
  }
  const folder = app.appFolderName ?? app.name;
  if (folder === '' || folder.includes('/') || folder.length > 255) fail(`${at}.appFolderName must be a single path component`);
  return {
    key: app.key,
    secret: app.secret,
    name: app.name,
    redirectUris: [...app.redirectUris],
    accessType: app.accessType,
    scopes: [...new Set(app.scopes)],
    appFolderName: folder,
  };
}

function resolveAccount(account: EmulatorAccount, index: number): ResolvedAccount {
  const at = `accounts[${index}]`;
  if (typeof account.name !== 'string' || account.name.trim() === '') fail(`${at}.name must be a non-empty string`);
  if (typeof account.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(account.email)) fail(`${at}.email must be an email address`);
  return { name: account.name, email: account.email, quotaBytes: positive(account.quotaBytes, `${at}.quotaBytes`, DEFAULT_QUOTA_BYTES) };
}

/** Validates a config and fills in defaults. Throws an Error naming the bad field. */
export function resolveConfig(config: EmulatorConfig): ResolvedConfig {
  if (!config || !Array.isArray(config.apps) || !Array.isArray(config.accounts)) fail('apps and accounts must be lists');
  const apps = config.apps.map(resolveApp);
  const accounts = config.accounts.map(resolveAccount);
  if (new Set(apps.map((a) => a.key)).size !== apps.length) fail('app keys must be unique');
  if (new Set(accounts.map((a) => a.email.toLowerCase())).size !== accounts.length) fail('account emails must be unique');
  if (config.dataDir !== undefined && typeof config.dataDir !== 'string') fail('dataDir must be a string');
  return {
    apps,
    accounts,
    dataDir: config.dataDir,
    accessTokenTtlSeconds: positive(config.accessTokenTtlSeconds, 'accessTokenTtlSeconds', DEFAULT_ACCESS_TOKEN_TTL_SECONDS),
    maxRequestBytes: positive(config.maxRequestBytes, 'maxRequestBytes', DEFAULT_MAX_REQUEST_BYTES),
    uploadSessionTtlSeconds: positive(config.uploadSessionTtlSeconds, 'uploadSessionTtlSeconds', DEFAULT_UPLOAD_SESSION_TTL_SECONDS),
    authorizationCodeTtlSeconds: positive(config.authorizationCodeTtlSeconds, 'authorizationCodeTtlSeconds', DEFAULT_AUTHORIZATION_CODE_TTL_SECONDS),
  };
}

/** The config used when the emulator is started without one: two demo apps and one account. */
export function demoConfig(): EmulatorConfig {
  const redirectUris = [
    'http://localhost:3000/api/adapters/dropbox/callback',
    'http://127.0.0.1:3000/api/adapters/dropbox/callback',
  ];
  return {
    apps: [
      { key: 'demo-app-key', secret: 'demo-app-secret', name: 'DBackup Demo', redirectUris, accessType: 'app_folder', scopes: [...ALL_SCOPES] },
      { key: 'demo-full-key', secret: 'demo-full-secret', name: 'DBackup Demo Full', redirectUris, accessType: 'full_dropbox', scopes: [...ALL_SCOPES] },
    ],
    accounts: [{ name: 'Demo User', email: 'demo@example.com', quotaBytes: DEFAULT_QUOTA_BYTES }],
  };
}

/** Reads a JSON config file (format: EmulatorConfig, see README). */
export async function loadConfigFile(path: string): Promise<EmulatorConfig> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as EmulatorConfig;
  } catch (error) {
    throw new Error(`emulator config ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
