import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, roundTripSuite, uniqueDatabaseName } from '../source.roundtrip.ts';
import { postgresHarness, TEST_POSTGRES, withTestClient } from './postgres.fixture.ts';
import { createPostgresSource } from './postgres.source.ts';
import { freePort } from '../../../../test/support/free-port.ts';

const harness = postgresHarness();
const unavailable = await harness.unavailable();

roundTripSuite('PostgreSQL source round trip', harness, unavailable);

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')('PostgreSQL source errors', () => {
  let scratch = '';
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'dbk-pg-tools-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('names the package to install when pg_dump is missing', async () => {
    const source = createPostgresSource(TEST_POSTGRES, { tools: { pgDump: '/nonexistent/pg_dump' } });
    const error = await rejection(source.dump('postgres'));
    expect(error.code).toBe('unavailable');
    expect(error.details.reason).toBe('tool_missing');
    expect(error.message).toMatch(/^pg_dump was not found at \/nonexistent\/pg_dump\. Install the PostgreSQL client tools/);
    expect(error.message).toMatch(/apt-get install postgresql-client-\d+/);
  });

  it('refuses a pg_dump older than the server and names the version to install', async () => {
    const fake = join(scratch, 'pg_dump');
    writeFileSync(fake, '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n');
    chmodSync(fake, 0o755);
    const source = createPostgresSource(TEST_POSTGRES, { tools: { pgDump: fake } });
    const info = await source.testConnection();
    const major = info.serverVersion.split('.')[0];
    const error = await rejection(source.dump('postgres'));
    expect(error.details.reason).toBe('tool_too_old');
    expect(error.message).toContain(`pg_dump 9 cannot dump a PostgreSQL ${major} server; install postgresql-client-${major} or newer`);
  });

  it('names psql when restoring without it, and leaves no database behind', async () => {
    const source = createPostgresSource(TEST_POSTGRES, { tools: { psql: '/nonexistent/psql' } });
    const name = uniqueDatabaseName();
    const error = await rejection(source.restore(name, Readable.from(['SELECT 1;']), { createDatabase: true }));
    expect(error.message).toMatch(/^psql was not found/);
    const exists = await withTestClient('postgres', async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount);
    expect(exists).toBe(0);
  });

  it('reports an unreachable server as unavailable, with what to check', async () => {
    const port = await freePort(); // nothing listens there
    const source = createPostgresSource({ ...TEST_POSTGRES, host: '127.0.0.1', port });
    const error = await rejection(source.testConnection());
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      `Could not connect to PostgreSQL at 127.0.0.1:${port}: connection refused. Check that the server is running, that the host and port in the source settings are right, and that it accepts TCP connections from this machine.`,
    );
  });

  it('reports a refused login as authorization_required', async () => {
    const source = createPostgresSource({ ...TEST_POSTGRES, user: 'dbk_no_such_role' });
    const error = await rejection(source.listDatabases());
    expect(error.code).toBe('authorization_required');
    expect(error.message).toContain('refused the login of user "dbk_no_such_role"');
    expect(error.message).toContain('Check the user name and password');
  });

  it('names a role the backup needs but the target server lacks, and says to create it', async () => {
    const source = createPostgresSource(TEST_POSTGRES);
    const name = uniqueDatabaseName();
    // As pg_dump writes ownership: the role exists on the server the backup came from, not here.
    const sql = 'CREATE TABLE public.owned (a int);\nALTER TABLE public.owned OWNER TO "dbk app""owner";\n-- PostgreSQL database dump complete\n';
    try {
      await withTestClient('postgres', (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
      const error = await rejection(source.restore(name, Readable.from([sql])));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('the role "dbk app"owner" owner of objects');
      expect(error.message).toContain('CREATE ROLE "dbk app""owner";');
      expect(error.details.role).toBe('dbk app"owner');
      const tables = await withTestClient(name, async (client) => (await client.query("SELECT 1 FROM pg_class WHERE relname = 'owned'")).rowCount);
      expect(tables).toBe(0);
    } finally {
      await withTestClient('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
    }
  });

  it('with skipOwnership restores a real dump whose owner and grantee roles the target lacks; objects belong to the restoring user', async () => {
    const source = createPostgresSource(TEST_POSTGRES);
    const original = uniqueDatabaseName();
    const restored = uniqueDatabaseName();
    const role = `dbk_owner_${original.slice(-8)}`;
    try {
      await withTestClient('postgres', async (client) => {
        await client.query(`CREATE ROLE ${role}`);
        await client.query(`CREATE DATABASE ${original}`);
      });
      await withTestClient(original, async (client) => {
        await client.query(`CREATE TABLE owned (a text); INSERT INTO owned VALUES ('GRANT ALL ON owned TO nobody;')`);
        await client.query(`CREATE FUNCTION grants() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\nGRANT SELECT ON owned TO ${role};\nEND;\n$$`);
        await client.query(`ALTER TABLE owned OWNER TO ${role}; GRANT SELECT ON owned TO ${role}; ALTER FUNCTION grants() OWNER TO ${role}`);
      });
      const dump = await source.dump(original);
      const chunks: Buffer[] = [];
      for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
      await dump.done;
      const sql = Buffer.concat(chunks).toString();
      expect(sql).toContain(`OWNER TO ${role};`);
      // The target server lacks the role, as after a move to a new server.
      await withTestClient('postgres', (client) => client.query(`DROP DATABASE ${original} WITH (FORCE)`).then(() => client.query(`DROP ROLE ${role}`)));

      expect((await rejection(source.restore(restored, Readable.from([sql]), { createDatabase: true }))).message).toContain(`the role "${role}"`);
      await source.restore(restored, Readable.from([sql]), { createDatabase: true, skipOwnership: true });
      await withTestClient(restored, async (client) => {
        const owners = await client.query("SELECT tableowner FROM pg_tables WHERE tablename = 'owned'");
        expect(owners.rows).toEqual([{ tableowner: TEST_POSTGRES.user }]);
        expect((await client.query('SELECT a FROM owned')).rows).toEqual([{ a: 'GRANT ALL ON owned TO nobody;' }]);
        const body = await client.query("SELECT prosrc FROM pg_proc WHERE proname = 'grants'");
        expect(body.rows[0].prosrc).toContain(`GRANT SELECT ON owned TO ${role};`);
      });
    } finally {
      await withTestClient('postgres', async (client) => {
        for (const name of [original, restored]) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.query(`DROP ROLE IF EXISTS ${role}`);
      });
    }
  });

  it('rejects a statement error in the backup and rolls the whole restore back', async () => {
    const source = createPostgresSource(TEST_POSTGRES);
    const name = uniqueDatabaseName();
    const sql = 'CREATE TABLE kept (a int);\nINSERT INTO kept VALUES (1);\nSELECT * FROM no_such_table;\n-- PostgreSQL database dump complete\n';
    try {
      await withTestClient('postgres', (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
      const error = await rejection(source.restore(name, Readable.from([sql])));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('no_such_table');
      const tables = await withTestClient(name, async (client) => (await client.query("SELECT 1 FROM pg_class WHERE relname = 'kept'")).rowCount);
      expect(tables).toBe(0);
    } finally {
      await withTestClient('postgres', (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
    }
  });
});
