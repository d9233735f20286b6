import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rejection } from '../source.roundtrip.ts';
import { parseServerVersion } from './mysql-connection.ts';
import { optionValue, writeDefaultsFile } from './mysql-defaults-file.ts';
import { dumpArguments, parseMysqlToolVersion, resolveMysqlTool } from './mysql-tools.ts';

describe('parseMysqlToolVersion', () => {
  it.each([
    ['mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)', 'mariadb', '10.11.19'],
    ['mariadb-dump from 11.4.2-MariaDB, client 10.19 for Linux (x86_64)', 'mariadb', '11.4.2'],
    ['mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)', 'mysql', '8.0.36'],
    ['mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)', 'mysql', '5.7.44'],
    ['mysql  Ver 8.4.0 for Linux on x86_64 (MySQL Community Server - GPL)', 'mysql', '8.4.0'],
  ])('reads %s', (output, flavour, version) => {
    expect(parseMysqlToolVersion(output)).toMatchObject({ flavour, version });
  });
});

describe('parseServerVersion', () => {
  it('detects MariaDB and MySQL from the version string', () => {
    expect(parseServerVersion('10.11.19-MariaDB-0+deb12u1')).toEqual({ flavour: 'mariadb', version: '10.11.19', major: 10, minor: 11 });
    expect(parseServerVersion('8.0.36-0ubuntu0.22.04.1')).toEqual({ flavour: 'mysql', version: '8.0.36', major: 8, minor: 0 });
  });
});

describe('dumpArguments', () => {
  it('takes one consistent snapshot with routines, triggers, events and hex blobs', () => {
    const args = dumpArguments({ flavour: 'mariadb', major: 10 }, { flavour: 'mariadb' });
    expect(args).toEqual(expect.arrayContaining(['--single-transaction', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4']));
    expect(args.some((arg) => arg.startsWith('--set-gtid-purged') || arg.startsWith('--column-statistics'))).toBe(false);
  });

  it('adapts MySQL 8 tools to the server flavour', () => {
    expect(dumpArguments({ flavour: 'mysql', major: 8 }, { flavour: 'mariadb' })).toContain('--column-statistics=0');
    expect(dumpArguments({ flavour: 'mysql', major: 8 }, { flavour: 'mysql' })).toContain('--set-gtid-purged=OFF');
  });
});

describe('resolveMysqlTool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dbk-mytools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fake = (name: string, output: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho "${output}"\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it('names the package to install when the program is missing', async () => {
    const error = await rejection(resolveMysqlTool('dump', '/nonexistent/mysqldump', parseServerVersion('8.0.36')));
    expect(error.details.reason).toBe('tool_missing');
    expect(error.message).toBe(
      'mysqldump was not found at /nonexistent/mysqldump. Install the MySQL client tools, version 8.0 or newer ' +
        '(Debian/Ubuntu: apt-get install mysql-client; Alpine: apk add mysql-client; macOS: brew install mysql-client).',
    );
  });

  it('refuses a MySQL dump program older than the MySQL server', async () => {
    const path = fake('mysqldump', 'mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)');
    const error = await rejection(resolveMysqlTool('dump', path, parseServerVersion('8.0.36')));
    expect(error.details.reason).toBe('tool_too_old');
    expect(error.message).toMatch(/^mysqldump 5\.7\.44 is older than the MySQL 8\.0\.36 server; install the MySQL 8\.0 client tools or newer/);
  });

  it('accepts a MariaDB dump program for a MariaDB server', async () => {
    const path = fake('mariadb-dump', 'mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)');
    expect(await resolveMysqlTool('dump', path, parseServerVersion('11.4.2-MariaDB'))).toMatchObject({ name: 'mariadb-dump', flavour: 'mariadb' });
  });
});

describe('option file', () => {
  it('quotes values so that comment and quote characters survive', () => {
    expect(optionValue('plain')).toBe('"plain"');
    expect(optionValue('a"b\\c#d;e f')).toBe('"a\\"b\\\\c#d;e f"');
    expect(optionValue('line\nbreak\ttab')).toBe('"line\\nbreak\\ttab"');
  });

  it('is private to the owner and removed afterwards', async () => {
    const file = await writeDefaultsFile({ user: 'backup', password: 's3cret"' });
    const path = file.argument.replace('--defaults-file=', '');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('[client]\nuser="backup"\npassword="s3cret\\""\n');
    await file.remove();
    await file.remove();
    expect(() => statSync(path)).toThrow();
  });
});
