import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBackupError } from '../../../core/errors.ts';
import type { PostgresSourceConfig, SourceTls } from '../../../ports/source.port.ts';
import { runTool, toolEnv } from '../process-runner.ts';
import { rejection, uniqueDatabaseName } from '../source.roundtrip.ts';
import { generateTestCertificates, type TestCertificates } from '../tls/test-certificates.fixture.ts';
import { tlsError } from '../tls/tls-errors.ts';
import { libpqEnvironment, postgresEndpoint, withPostgres } from './postgres-connection.ts';
import { postgresHarness, TEST_POSTGRES, withTestClient } from './postgres.fixture.ts';
import { createPostgresSource, libpqTlsFailure } from './postgres.source.ts';
import { libpqTls } from './postgres-tls.ts';
import { startPostgresTlsProxy, type PostgresTlsProxy } from './postgres-tls-proxy.fixture.ts';

// The local server runs without TLS (ssl = off); a proxy in front of it speaks TLS with a
// certificate for "localhost" signed by a CA made for this test.
const unavailable = await postgresHarness().unavailable();

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')('PostgreSQL source over TLS', () => {
  let certs: TestCertificates;
  let tlsServer: PostgresTlsProxy;
  let refusingServer: PostgresTlsProxy;
  let scratch = '';
  const database = uniqueDatabaseName();
  const restored = uniqueDatabaseName();

  beforeAll(async () => {
    certs = await generateTestCertificates();
    const target = { host: TEST_POSTGRES.host, port: TEST_POSTGRES.port ?? 5432 };
    tlsServer = await startPostgresTlsProxy({ target, tls: { cert: certs.serverCert, key: certs.serverKey } });
    refusingServer = await startPostgresTlsProxy({ target });
    scratch = await mkdtemp(join(tmpdir(), 'dbk-pg-tls-test-'));
    await withTestClient('postgres', (client) => client.query(`CREATE DATABASE ${database}`));
    await withTestClient(database, (client) =>
      client.query("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'über TLS ✓'), (2, NULL)"),
    );
  });

  afterAll(async () => {
    await withTestClient('postgres', async (client) => {
      for (const name of [database, restored]) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    await tlsServer?.close();
    await refusingServer?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const config = (host: string, port: number, tls: SourceTls): PostgresSourceConfig => ({ ...TEST_POSTGRES, host, port, tls });
  const source = (settings: PostgresSourceConfig) => createPostgresSource(settings, { tempDir: scratch });

  /** pg_dump on its own (no driver connection first), with the environment the source gives it. */
  async function runPgDump(settings: PostgresSourceConfig): Promise<string> {
    const endpoint = postgresEndpoint(settings);
    const tls = await libpqTls(endpoint.tls, scratch);
    try {
      return await runTool({
        name: 'pg_dump',
        path: 'pg_dump',
        args: ['--schema-only', '--no-password'],
        env: toolEnv(libpqEnvironment(endpoint, database, tls.env)),
        installHint: '',
        describeFailure: (failure) => libpqTlsFailure(failure, endpoint) ?? new DBackupError('internal', `not a TLS failure: ${failure.stderr}`),
      });
    } finally {
      await tls.remove();
    }
  }
  const pgDumpFailure = (settings: PostgresSourceConfig): Promise<DBackupError> => rejection(runPgDump(settings));

  async function rows(name: string): Promise<unknown[]> {
    return withTestClient(name, async (client) => (await client.query('SELECT id, body FROM notes ORDER BY id')).rows);
  }

  it('with verify-full and the CA, tests, lists, backs up and restores, every connection through TLS', async () => {
    const secure = source(config('localhost', tlsServer.port, { mode: 'verify-full', caCertificate: certs.caCert }));
    const [tlsBefore, plainBefore] = [tlsServer.tlsConnections, tlsServer.plainConnections];

    expect((await secure.testConnection()).engine).toBe('postgres');
    expect(await secure.listDatabases()).toContain(database);
    const dump = await secure.dump(database);
    const chunks: Buffer[] = [];
    for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
    await dump.done;
    await secure.restore(restored, Readable.from(chunks), { createDatabase: true });

    expect(await rows(restored)).toEqual(await rows(database));
    expect(await rows(restored)).toEqual([{ id: 1, body: 'über TLS ✓' }, { id: 2, body: null }]);
    // Driver connections plus pg_dump and psql; none in plain text.
    expect(tlsServer.tlsConnections - tlsBefore).toBeGreaterThanOrEqual(6);
    expect(tlsServer.plainConnections).toBe(plainBefore);
    // The CA files for pg_dump and psql are gone.
    expect(await readdir(scratch)).toEqual([]);
  });

  it('with require, encrypts without checking the certificate (here issued for another name, by an unknown CA)', async () => {
    const before = tlsServer.tlsConnections;
    const encrypted = source(config('127.0.0.1', tlsServer.port, { mode: 'require' }));
    expect((await encrypted.testConnection()).engine).toBe('postgres');
    const dump = await encrypted.dump(database);
    dump.stream.resume();
    await dump.done;
    // The driver twice (test, the dump's check), then pg_dump.
    expect(tlsServer.tlsConnections - before).toBe(3);
  });

  it('with verify-ca and a wrong CA, says to paste the provider’s CA, whether the driver or pg_dump meets it', async () => {
    const settings = config('localhost', tlsServer.port, { mode: 'verify-ca', caCertificate: certs.otherCaCert });
    const expected =
      `The TLS certificate of PostgreSQL at localhost:${tlsServer.port} is not signed by the CA certificate in the source settings. ` +
      "Paste the CA certificate your database provider publishes for this server (or the provider's whole CA bundle).";
    const fromDriver = await rejection(source(settings).testConnection());
    expect(fromDriver.message).toBe(expected);
    expect(fromDriver.details).toMatchObject({ reason: 'tls_certificate', tlsProblem: 'unknown_ca' });
    expect(fromDriver.retryable).toBe(false);
    expect((await rejection(source(settings).dump(database))).message).toBe(expected);
    const fromPgDump = await pgDumpFailure(settings);
    expect(fromPgDump.message).toBe(expected);
    expect(fromPgDump.details.detail).toContain('certificate verify failed');
  });

  it('with verify-ca and the right CA, accepts a certificate issued for another name', async () => {
    const settings = config('127.0.0.1', tlsServer.port, { mode: 'verify-ca', caCertificate: certs.caCert });
    expect((await source(settings).testConnection()).engine).toBe('postgres');
    expect(await runPgDump(settings)).toContain('CREATE TABLE public.notes');
  });

  it('with verify-full and a certificate for another name, says to use that name or verify-ca, from the driver and pg_dump alike', async () => {
    const settings = config('127.0.0.1', tlsServer.port, { mode: 'verify-full', caCertificate: certs.caCert });
    const expected =
      `The TLS certificate of PostgreSQL at 127.0.0.1:${tlsServer.port} is not issued for the host name "127.0.0.1". ` +
      "Set the source's host to a name the certificate lists (usually the host name your provider gives), or set TLS to 'verify-ca' to check only the CA.";
    const fromDriver = await rejection(source(settings).testConnection());
    expect(fromDriver.message).toBe(expected);
    expect(fromDriver.details.tlsProblem).toBe('host_mismatch');
    expect((await pgDumpFailure(settings)).message).toBe(expected);
  });

  it('with verify-full and no pasted CA, trusts only the well-known CAs, which did not sign the test certificate', async () => {
    const settings = config('localhost', tlsServer.port, { mode: 'verify-full' });
    const expected =
      `The TLS certificate of PostgreSQL at localhost:${tlsServer.port} is not signed by a CA this machine trusts. ` +
      "Paste your database provider's CA certificate into the source's CA certificate field.";
    expect((await rejection(source(settings).listDatabases())).message).toBe(expected);
    expect((await pgDumpFailure(settings)).message).toBe(expected);
  });

  it('with require against a server without TLS, says to enable SSL or relax the mode, from the driver and pg_dump alike', async () => {
    const settings = config(TEST_POSTGRES.host, TEST_POSTGRES.port ?? 5432, { mode: 'require' });
    const expected =
      `PostgreSQL at ${TEST_POSTGRES.host}:${TEST_POSTGRES.port} does not accept TLS connections, but the source's TLS mode is "require". ` +
      "Enable SSL on the server, or set TLS to 'prefer' or 'disable' in the source settings.";
    const fromDriver = await rejection(source(settings).testConnection());
    expect(fromDriver.message).toBe(expected);
    expect(fromDriver.details.reason).toBe('tls_unsupported');
    expect((await rejection(source(settings).dump(database))).message).toBe(expected);
    expect((await pgDumpFailure(settings)).message).toBe(expected);
  });

  it('with prefer, goes on in plain text with a server without TLS, and uses TLS where offered', async () => {
    const refused = refusingServer.plainConnections;
    const plain = source(config('127.0.0.1', refusingServer.port, { mode: 'prefer' }));
    expect(await plain.listDatabases()).toContain(database);
    const dump = await plain.dump(database);
    dump.stream.resume();
    await dump.done;
    // Driver: refused once, then plain (twice: listing, then the dump's check, without asking again); pg_dump: refused, plain.
    expect(refusingServer.plainConnections - refused).toBe(3);
    // A source stored before TLS settings existed has none: prefer.
    expect((await source({ ...TEST_POSTGRES }).testConnection()).engine).toBe('postgres');

    const [tlsBefore, plainBefore] = [tlsServer.tlsConnections, tlsServer.plainConnections];
    await source(config('127.0.0.1', tlsServer.port, { mode: 'prefer' })).testConnection();
    expect([tlsServer.tlsConnections - tlsBefore, tlsServer.plainConnections - plainBefore]).toEqual([1, 0]);
  });

  it('with prefer, never runs the work of a connection twice: only a failed connection is made again in plain text', async () => {
    // Regression: a TLS error raised after connecting made prefer repeat the work (e.g. CREATE DATABASE) without TLS.
    const endpoint = postgresEndpoint(config('127.0.0.1', tlsServer.port, { mode: 'prefer' }));
    let runs = 0;
    const failure = await rejection(
      withPostgres(endpoint, 'postgres', undefined, async () => {
        runs++;
        throw tlsError('handshake', endpoint, 'decryption failed');
      }),
    );
    expect(failure.details.reason).toBe('tls_handshake');
    expect(runs).toBe(1);
  });

  it('with disable, never asks for TLS, even where it is offered', async () => {
    const [tlsBefore, plainBefore] = [tlsServer.tlsConnections, tlsServer.plainConnections];
    const plain = source(config('127.0.0.1', tlsServer.port, { mode: 'disable' }));
    await plain.testConnection();
    const dump = await plain.dump(database);
    dump.stream.resume();
    await dump.done;
    expect([tlsServer.tlsConnections - tlsBefore, tlsServer.plainConnections - plainBefore]).toEqual([0, 3]);
  });
});
