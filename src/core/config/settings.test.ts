import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDBackupError } from '../errors.ts';
import { loadSettings } from './settings.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSettings(env, { cwd: '/srv/dbackup' });
  } catch (error) {
    if (isDBackupError(error, 'invalid_input')) return error.details['problems'] as string[];
    throw error;
  }
  throw new Error('expected loadSettings to refuse');
}

describe('loadSettings', () => {
  it('applies the documented defaults', () => {
    const settings = loadSettings({}, { cwd: '/srv/dbackup' });
    expect(settings).toEqual({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      dataDir: '/srv/dbackup/data',
      encryptionKey: undefined,
      dropboxApiUrl: undefined,
      trustProxy: 0,
      historyDays: 365,
    });
  });

  it('reads DBACKUP_HISTORY_DAYS as whole days, 0 meaning keep all, and refuses anything else', () => {
    expect(loadSettings({ DBACKUP_HISTORY_DAYS: '30' }).historyDays).toBe(30);
    expect(loadSettings({ DBACKUP_HISTORY_DAYS: '0' }).historyDays).toBe(0);
    expect(problemsOf({ DBACKUP_HISTORY_DAYS: '30d' })).toEqual([
      'DBACKUP_HISTORY_DAYS must be the number of days to keep finished runs and restores (0 to 36500; 0 keeps them all); got "30d"',
    ]);
    expect(problemsOf({ DBACKUP_HISTORY_DAYS: '-1' })).toHaveLength(1);
  });

  it('reads TRUST_PROXY as a number of proxy hops and refuses anything else', () => {
    expect(loadSettings({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(problemsOf({ TRUST_PROXY: 'true' })).toEqual(['TRUST_PROXY must be the number of reverse proxies in front of DBackup (0 to 10, usually 1); got "true"']);
    expect(problemsOf({ TRUST_PROXY: '11' })).toHaveLength(1);
  });

  it('derives the default PUBLIC_URL from PORT and normalises given URLs', () => {
    expect(loadSettings({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    const settings = loadSettings({
      PUBLIC_URL: 'https://backup.example.com/dbackup/',
      DBACKUP_DROPBOX_API_URL: 'http://127.0.0.1:4010/',
      DBACKUP_DATA_DIR: '/var/lib/dbackup',
    });
    expect(settings.publicUrl).toBe('https://backup.example.com/dbackup');
    expect(settings.dropboxApiUrl).toBe('http://127.0.0.1:4010');
    expect(settings.dataDir).toBe('/var/lib/dbackup');
  });

  it('keeps a valid ENCRYPTION_KEY as a Secret', () => {
    const hex = randomBytes(32).toString('hex');
    const settings = loadSettings({ ENCRYPTION_KEY: hex });
    expect(settings.encryptionKey?.reveal()).toBe(hex);
    expect(JSON.stringify(settings)).not.toContain(hex);
  });

  it('reports every problem at once, naming the variable', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      PUBLIC_URL: 'backup.example.com',
      ENCRYPTION_KEY: randomBytes(31).toString('base64'),
      DBACKUP_DROPBOX_API_URL: 'ftp://example.com',
    });
    expect(problems).toEqual([
      'PORT must be a whole number from 0 to 65535; got "eighty"',
      'PUBLIC_URL must be an absolute http:// or https:// URL; got "backup.example.com"',
      'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64; got 31 bytes',
      'DBACKUP_DROPBOX_API_URL must start with http:// or https://; got "ftp://example.com"',
    ]);
  });

  it('refuses a port out of range and a PUBLIC_URL with a query', () => {
    expect(problemsOf({ PORT: '70000', PUBLIC_URL: 'https://x.example/?a=1' })).toEqual([
      'PORT must be a whole number from 0 to 65535; got "70000"',
      'PUBLIC_URL must not contain a query, fragment or credentials; got "https://x.example/?a=1"',
    ]);
  });
});
