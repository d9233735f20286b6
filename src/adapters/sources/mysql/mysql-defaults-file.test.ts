import { readFile, readdir, rm, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TlsMode } from '../../../ports/source.port.ts';
import { mysqlToolTlsLines, writeDefaultsFile } from './mysql-defaults-file.ts';

describe('TLS lines of the option file', () => {
  const ca = '/tmp/x/ca.pem';
  it.each<[TlsMode, string[]]>([
    ['disable', ['skip-ssl']],
    ['prefer', ['ssl', 'skip-ssl-verify-server-cert']],
    ['require', ['ssl', 'skip-ssl-verify-server-cert']],
    ['verify-ca', ['ssl', 'ssl-ca="/tmp/x/ca.pem"', 'skip-ssl-verify-server-cert']],
    ['verify-full', ['ssl', 'ssl-ca="/tmp/x/ca.pem"', 'ssl-verify-server-cert']],
  ])('MariaDB programs, %s', (mode, lines) => {
    expect(mysqlToolTlsLines({ mode }, 'mariadb', mode.startsWith('verify') ? ca : undefined)).toEqual(lines);
  });

  it.each<[TlsMode, string[]]>([
    ['disable', ['ssl-mode=DISABLED']],
    ['prefer', ['ssl-mode=PREFERRED']],
    ['require', ['ssl-mode=REQUIRED']],
    ['verify-ca', ['ssl-mode=VERIFY_CA', 'ssl-ca="/tmp/x/ca.pem"']],
    ['verify-full', ['ssl-mode=VERIFY_IDENTITY', 'ssl-ca="/tmp/x/ca.pem"']],
  ])('MySQL programs, %s', (mode, lines) => {
    expect(mysqlToolTlsLines({ mode }, 'mysql', mode.startsWith('verify') ? ca : undefined)).toEqual(lines);
  });
});

describe('option file with TLS settings', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbk-defaults-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the CA beside the login, both private, and removes both', async () => {
    const file = await writeDefaultsFile({ user: 'backup', password: 'pw' }, dir, { settings: { mode: 'verify-full', caCertificate: 'PEM\n' }, flavour: 'mariadb' });
    const path = file.argument.replace('--defaults-file=', '');
    const caPath = join(path, '..', 'ca.pem');
    expect(await readFile(path, 'utf8')).toBe(`[client]\nuser="backup"\npassword="pw"\nssl\nssl-ca="${caPath}"\nssl-verify-server-cert\n`);
    expect(await readFile(caPath, 'utf8')).toBe('PEM\n');
    expect((await stat(caPath)).mode & 0o777).toBe(0o600);
    await file.remove();
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes no CA file for a mode that checks no certificate', async () => {
    const file = await writeDefaultsFile({ user: 'backup', password: 'pw' }, dir, { settings: { mode: 'require' }, flavour: 'mysql' });
    const path = file.argument.replace('--defaults-file=', '');
    expect(await readdir(join(path, '..'))).toEqual(['client.cnf']);
    expect(await readFile(path, 'utf8')).toBe('[client]\nuser="backup"\npassword="pw"\nssl-mode=REQUIRED\n');
    await file.remove();
  });
});
