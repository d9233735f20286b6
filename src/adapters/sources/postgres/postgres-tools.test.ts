import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rejection } from '../source.roundtrip.ts';
import { parsePostgresToolVersion, resolvePostgresTool } from './postgres-tools.ts';

describe('parsePostgresToolVersion', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)', '15.20', 15],
    ['psql (PostgreSQL) 17.2', '17.2', 17],
    ['pg_dump (PostgreSQL) 9.6.24', '9.6.24', 9],
    ['pg_dump (PostgreSQL) 18devel', '18', 18],
  ])('reads %s', (output, version, major) => {
    expect(parsePostgresToolVersion(output)).toEqual({ version, major });
  });

  it('refuses other programs', () => {
    expect(parsePostgresToolVersion('mysqldump  Ver 8.0.36 for Linux')).toBeUndefined();
  });
});

describe('resolvePostgresTool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dbk-pgtools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fakeTool = (name: string, output: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\necho "${output}"\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it('names the client package for the server version when the tool is missing', async () => {
    const error = await rejection(resolvePostgresTool('pg_dump', '/nonexistent/pg_dump', 16));
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(false);
    expect(error.details.reason).toBe('tool_missing');
    expect(error.message).toBe(
      'pg_dump was not found at /nonexistent/pg_dump. Install the PostgreSQL client tools, version 16 or newer ' +
        '(Debian/Ubuntu: apt-get install postgresql-client-16; Alpine: apk add postgresql16-client; macOS: brew install libpq).',
    );
  });

  it('refuses a pg_dump older than the server', async () => {
    const path = fakeTool('old_pg_dump', 'pg_dump (PostgreSQL) 14.11');
    const error = await rejection(resolvePostgresTool('pg_dump', path, 15));
    expect(error.details).toMatchObject({ reason: 'tool_too_old', toolVersion: '14.11', serverMajor: 15 });
    expect(error.message).toMatch(/^pg_dump 14 cannot dump a PostgreSQL 15 server; install postgresql-client-15 or newer/);
  });

  it('accepts a tool as new as the server or newer', async () => {
    const path = fakeTool('new_psql', 'psql (PostgreSQL) 17.2');
    expect(await resolvePostgresTool('psql', path, 15)).toMatchObject({ path, version: '17.2', major: 17 });
  });

  it('refuses a program that is not a PostgreSQL tool', async () => {
    const path = fakeTool('impostor', 'something else 1.0');
    const error = await rejection(resolvePostgresTool('pg_dump', path, 15));
    expect(error.details.reason).toBe('tool_unrecognized');
  });
});
