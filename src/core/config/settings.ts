/**
 * Process settings from the environment, validated once at start.
 *
 * | Variable                 | Meaning                                             | Default                  |
 * |--------------------------|-----------------------------------------------------|--------------------------|
 * | PORT                     | HTTP port                                           | 3000                     |
 * | PUBLIC_URL               | Base URL users reach DBackup at (OAuth redirect URI) | http://localhost:<PORT> |
 * | DBACKUP_DATA_DIR         | Metadata store, generated key file                  | ./data                   |
 * | ENCRYPTION_KEY           | 32-byte master key, 64 hex chars or base64          | generated into data dir  |
 * | DBACKUP_DROPBOX_API_URL  | Base URL of a Dropbox API stand-in (the emulator)   | the real Dropbox         |
 * | TRUST_PROXY              | Reverse proxies in front whose X-Forwarded-For counts | 0                      |
 * | DBACKUP_HISTORY_DAYS     | Days finished runs and restores stay listed; 0 = all | 365                     |
 */
import { isAbsolute, resolve } from 'node:path';
import { DBackupError } from '../errors.ts';
import { Secret } from '../secret.ts';
import { DEFAULT_HISTORY_DAYS } from '../history/history-retention.ts';
import { parseEncryptionKey } from './encryption-key.ts';

export interface Settings {
  port: number;
  /** No trailing slash, e.g. `https://backup.example.com` or `https://example.com/dbackup`. */
  publicUrl: string;
  /** Absolute path. */
  dataDir: string;
  /** The key text as given (already checked to decode to 32 bytes); absent = use/generate key file. */
  encryptionKey: Secret | undefined;
  /** No trailing slash; absent = the real Dropbox API. */
  dropboxApiUrl: string | undefined;
  /** Reverse proxies in front of DBackup whose X-Forwarded-For is believed (for per-client sign-in limits). */
  trustProxy: number;
  /** Days a finished run or restore (with its log) stays in the history; 0 = forever. */
  historyDays: number;
}

export interface LoadSettingsOptions {
  /** Base for a relative DBACKUP_DATA_DIR; default `process.cwd()`. */
  cwd?: string;
}

/**
 * Reads and validates settings. Throws one `invalid_input` error listing every problem, each
 * naming the variable and what is expected, so a misconfigured start is fixed in one go.
 */
export function loadSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadSettingsOptions = {},
): Settings {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  /** The whole number from 0 to `max` in variable `name`; `fallback` when unset or (recording `problem`) invalid. */
  const wholeNumber = (name: string, fallback: number, max: number, problem: string): number => {
    const text = value(name);
    if (text === undefined) return fallback;
    const parsed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isInteger(parsed) && parsed <= max) return parsed;
    problems.push(`${problem}; got ${JSON.stringify(text)}`);
    return fallback;
  };

  const port = wholeNumber('PORT', 3000, 65535, 'PORT must be a whole number from 0 to 65535');

  let publicUrl = `http://localhost:${port}`;
  const publicUrlText = value('PUBLIC_URL');
  if (publicUrlText !== undefined) {
    const checked = checkHttpUrl('PUBLIC_URL', publicUrlText, problems);
    if (checked !== undefined) publicUrl = checked;
  }

  const dataDirText = value('DBACKUP_DATA_DIR') ?? './data';
  const cwd = options.cwd ?? process.cwd();
  const dataDir = isAbsolute(dataDirText) ? resolve(dataDirText) : resolve(cwd, dataDirText);

  let encryptionKey: Secret | undefined;
  const keyText = value('ENCRYPTION_KEY');
  if (keyText !== undefined) {
    try {
      parseEncryptionKey(keyText);
      encryptionKey = new Secret(keyText);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }

  const apiText = value('DBACKUP_DROPBOX_API_URL');
  const dropboxApiUrl = apiText === undefined ? undefined : checkHttpUrl('DBACKUP_DROPBOX_API_URL', apiText, problems);

  const trustProxy = wholeNumber('TRUST_PROXY', 0, 10, 'TRUST_PROXY must be the number of reverse proxies in front of DBackup (0 to 10, usually 1)');
  const historyDays = wholeNumber(
    'DBACKUP_HISTORY_DAYS', DEFAULT_HISTORY_DAYS, 36500,
    'DBACKUP_HISTORY_DAYS must be the number of days to keep finished runs and restores (0 to 36500; 0 keeps them all)',
  );

  if (problems.length > 0) {
    const list = problems.map((p) => `- ${p}`).join('\n');
    throw new DBackupError('invalid_input', `DBackup cannot start; fix these settings:\n${list}`, {
      retryable: false,
      details: { problems },
    });
  }
  return { port, publicUrl, dataDir, encryptionKey, dropboxApiUrl, trustProxy, historyDays };
}

function checkHttpUrl(name: string, text: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${name} must be an absolute http:// or https:// URL; got ${JSON.stringify(text)}`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must start with http:// or https://; got ${JSON.stringify(text)}`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    problems.push(`${name} must not contain a query, fragment or credentials; got ${JSON.stringify(text)}`);
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}
