import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { libpqTls, pgSslOption } from './postgres-tls.ts';

describe('pg ssl option', () => {
  it('follows the mode', () => {
    expect(pgSslOption({ mode: 'disable' }, true)).toBe(false);
    expect(pgSslOption({ mode: 'prefer' }, true)).toEqual({ rejectUnauthorized: false });
    expect(pgSslOption({ mode: 'prefer' }, false)).toBe(false);
    expect(pgSslOption({ mode: 'require' }, true)).toEqual({ rejectUnauthorized: false });
    expect(pgSslOption({ mode: 'verify-full', caCertificate: 'PEM' }, true)).toEqual({ ca: 'PEM', rejectUnauthorized: true });
    // Node's default CAs without a pasted one.
    expect(pgSslOption({ mode: 'verify-full' }, true)).toEqual({ rejectUnauthorized: true });
  });

  it('checks no host name for verify-ca', () => {
    const option = pgSslOption({ mode: 'verify-ca', caCertificate: 'PEM' }, true);
    expect(option).toMatchObject({ ca: 'PEM', rejectUnauthorized: true });
    expect(option && option.checkServerIdentity?.('other.example', {} as never)).toBeUndefined();
  });
});

describe('libpq TLS environment', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbk-libpq-tls-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('sets only PGSSLMODE for the modes that check no certificate', async () => {
    for (const mode of ['disable', 'prefer', 'require'] as const) {
      const tls = await libpqTls({ mode }, dir);
      expect(tls.env).toEqual({ PGSSLMODE: mode });
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes the pasted CA to a private file for PGSSLROOTCERT and removes it', async () => {
    const tls = await libpqTls({ mode: 'verify-full', caCertificate: 'PEM TEXT\n' }, dir);
    expect(tls.env.PGSSLMODE).toBe('verify-full');
    const path = tls.env.PGSSLROOTCERT ?? '';
    expect(path.startsWith(dir)).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('PEM TEXT\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(path, '..'))).mode & 0o777).toBe(0o700);
    await tls.remove();
    await tls.remove();
    expect(await readdir(dir)).toEqual([]);
  });

  it('without a pasted CA, gives libpq the CAs the driver trusts', async () => {
    const tls = await libpqTls({ mode: 'verify-ca' }, dir);
    const pem = await readFile(tls.env.PGSSLROOTCERT ?? '', 'utf8');
    expect(pem).toContain(getCACertificates('default')[0]);
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(getCACertificates('default').length);
    await tls.remove();
  });
});
