import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { RowDataPacket } from 'mysql2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBackupError } from '../../../core/errors.ts';
import type { MysqlSourceConfig, SourceTls } from '../../../ports/source.port.ts';
import { runTool, toolEnv } from '../process-runner.ts';
import { rejection, uniqueDatabaseName } from '../source.roundtrip.ts';
import { generateTestCertificates, type TestCertificates } from '../tls/test-certificates.fixture.ts';
import { tlsError } from '../tls/tls-errors.ts';
import { mysqlEndpoint, parseServerVersion, quoteMysqlIdentifier as q, withMysql } from './mysql-connection.ts';
import { writeDefaultsFile } from './mysql-defaults-file.ts';
import { mysqlHarness, TEST_MYSQL, withTestConnection } from './mysql.fixture.ts';
import { createMysqlSource, mysqlToolTlsFailure } from './mysql.source.ts';
import { startMysqlTlsProxy, type MysqlTlsProxy } from './mysql-tls-proxy.fixture.ts';
import { resolveMysqlTool } from './mysql-tools.ts';

// The local MariaDB runs without TLS (have_ssl = DISABLED); a proxy in front of it speaks TLS with
// a certificate for "localhost" signed by a CA made for this test.
const unavailable = await mysqlHarness().unavailable();

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')('MySQL/MariaDB source over TLS', () => {
  let certs: TestCertificates;
  let tlsServer: MysqlTlsProxy;
  let scratch = '';
  const database = uniqueDatabaseName();
  const restored = uniqueDatabaseName();
  const plainPort = TEST_MYSQL.port ?? 3306;

  beforeAll(async () => {
    certs = await generateTestCertificates();
    tlsServer = await startMysqlTlsProxy({ target: { host: TEST_MYSQL.host, port: plainPort }, tls: { cert: certs.serverCert, key: certs.serverKey } });
    scratch = await mkdtemp(join(tmpdir(), 'dbk-mysql-tls-test-'));
    await withTestConnection(undefined, async (connection) => {
      await connection.query(`CREATE DATABASE ${q(database)}`);
      await connection.query(`CREATE TABLE ${q(database)}.notes (id INT PRIMARY KEY, body VARCHAR(50)) DEFAULT CHARSET=utf8mb4`);
      await connection.query(`INSERT INTO ${q(database)}.notes VALUES (1, 'über TLS ✓'), (2, NULL)`);
    });
  });

  afterAll(async () => {
    await withTestConnection(undefined, async (connection) => {
      for (const name of [database, restored]) await connection.query(`DROP DATABASE IF EXISTS ${q(name)}`);
    });
    await tlsServer?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const config = (host: string, port: number, tls: SourceTls): MysqlSourceConfig => ({ ...TEST_MYSQL, host, port, tls });
  const source = (settings: MysqlSourceConfig) => createMysqlSource(settings, { tempDir: scratch });

  /** mariadb-dump on its own (no driver connection first), with the option file the source gives it. */
  async function runDumpTool(settings: MysqlSourceConfig): Promise<string> {
    const endpoint = mysqlEndpoint(settings);
    const tool = await resolveMysqlTool('dump', undefined, parseServerVersion('10.11.0-MariaDB'));
    const login = await writeDefaultsFile(endpoint, scratch, { settings: endpoint.tls, flavour: tool.flavour });
    try {
      return await runTool({
        name: tool.name,
        path: tool.path,
        args: [login.argument, `--host=${endpoint.host}`, `--port=${endpoint.port}`, '--protocol=TCP', '--no-data', '--', database],
        env: toolEnv(),
        installHint: '',
        describeFailure: (failure) => mysqlToolTlsFailure(failure, endpoint) ?? new DBackupError('internal', `not a TLS failure: ${failure.stderr}`),
      });
    } finally {
      await login.remove();
    }
  }
  const dumpToolFailure = (settings: MysqlSourceConfig): Promise<DBackupError> => rejection(runDumpTool(settings));

  async function rows(name: string): Promise<unknown[]> {
    return withTestConnection(name, async (connection) => (await connection.query<RowDataPacket[]>('SELECT id, body FROM notes ORDER BY id'))[0]);
  }

  it('with verify-full and the CA, tests, lists, backs up and restores, every connection through TLS', async () => {
    const secure = source(config('localhost', tlsServer.port, { mode: 'verify-full', caCertificate: certs.caCert }));
    const [tlsBefore, plainBefore] = [tlsServer.tlsConnections, tlsServer.plainConnections];

    expect(['mysql', 'mariadb']).toContain((await secure.testConnection()).engine);
    expect(await secure.listDatabases()).toContain(database);
    const dump = await secure.dump(database);
    const chunks: Buffer[] = [];
    for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
    await dump.done;
    await secure.restore(restored, Readable.from(chunks), { createDatabase: true });

    expect(await rows(restored)).toEqual(await rows(database));
    expect(await rows(restored)).toEqual([{ id: 1, body: 'über TLS ✓' }, { id: 2, body: null }]);
    // Driver connections plus mariadb-dump and mariadb; none in plain text.
    expect(tlsServer.tlsConnections - tlsBefore).toBeGreaterThanOrEqual(6);
    expect(tlsServer.plainConnections).toBe(plainBefore);
    // The option files and CA files are gone.
    expect(await readdir(scratch)).toEqual([]);
  });

  it('with require, encrypts without checking the certificate (here issued for another name, by an unknown CA)', async () => {
    const before = tlsServer.tlsConnections;
    const encrypted = source(config('127.0.0.1', tlsServer.port, { mode: 'require' }));
    expect(await encrypted.listDatabases()).toContain(database);
    const dump = await encrypted.dump(database);
    dump.stream.resume();
    await dump.done;
    // The driver twice (listing, the dump's check), then mariadb-dump.
    expect(tlsServer.tlsConnections - before).toBe(3);
  });

  it('with verify-ca and a wrong CA, says to paste the provider’s CA, whether the driver or mariadb-dump meets it', async () => {
    const settings = config('localhost', tlsServer.port, { mode: 'verify-ca', caCertificate: certs.otherCaCert });
    const expected =
      `The TLS certificate of MariaDB at localhost:${tlsServer.port} is not signed by the CA certificate in the source settings. ` +
      "Paste the CA certificate your database provider publishes for this server (or the provider's whole CA bundle).";
    const fromDriver = await rejection(source(settings).testConnection());
    expect(fromDriver.message).toBe(expected);
    expect(fromDriver.details).toMatchObject({ reason: 'tls_certificate', tlsProblem: 'unknown_ca' });
    expect((await rejection(source(settings).dump(database))).message).toBe(expected);
    expect((await dumpToolFailure(settings)).message).toBe(expected);
  });

  it('with verify-ca and the right CA, accepts a certificate issued for another name', async () => {
    const settings = config('127.0.0.1', tlsServer.port, { mode: 'verify-ca', caCertificate: certs.caCert });
    expect(await source(settings).listDatabases()).toContain(database);
    expect(await runDumpTool(settings)).toContain('CREATE TABLE `notes`');
  });

  it('with verify-full and a certificate for another name, says to use that name or verify-ca, from the driver and mariadb-dump alike', async () => {
    // mysql2 on its own compares the certificate of an IP address with "localhost" and would accept it.
    const settings = config('127.0.0.1', tlsServer.port, { mode: 'verify-full', caCertificate: certs.caCert });
    const expected =
      `The TLS certificate of MariaDB at 127.0.0.1:${tlsServer.port} is not issued for the host name "127.0.0.1". ` +
      "Set the source's host to a name the certificate lists (usually the host name your provider gives), or set TLS to 'verify-ca' to check only the CA.";
    const fromDriver = await rejection(source(settings).testConnection());
    expect(fromDriver.message).toBe(expected);
    expect(fromDriver.details.tlsProblem).toBe('host_mismatch');
    expect((await dumpToolFailure(settings)).message).toBe(expected);
  });

  it('with verify-full and no pasted CA, trusts only the well-known CAs, which did not sign the test certificate', async () => {
    const settings = config('localhost', tlsServer.port, { mode: 'verify-full' });
    const expected =
      `The TLS certificate of MariaDB at localhost:${tlsServer.port} is not signed by a CA this machine trusts. ` +
      "Paste your database provider's CA certificate into the source's CA certificate field.";
    expect((await rejection(source(settings).listDatabases())).message).toBe(expected);
    expect((await dumpToolFailure(settings)).message).toBe(expected);
  });

  it('against a server without TLS, require and the verify modes say to enable SSL or relax the mode, from the driver and mariadb-dump alike', async () => {
    const host = TEST_MYSQL.host;
    const expected = (mode: string) =>
      `MariaDB at ${host}:${plainPort} does not accept TLS connections, but the source's TLS mode is "${mode}". ` +
      "Enable SSL on the server, or set TLS to 'prefer' or 'disable' in the source settings.";
    const required = config(host, plainPort, { mode: 'require' });
    const fromDriver = await rejection(source(required).testConnection());
    expect(fromDriver.message).toBe(expected('require'));
    expect(fromDriver.details.reason).toBe('tls_unsupported');
    expect((await rejection(source(required).dump(database))).message).toBe(expected('require'));
    // MariaDB 10.x programs refuse a server without TLS only when they verify its certificate.
    const verified = config(host, plainPort, { mode: 'verify-full', caCertificate: certs.caCert });
    expect((await rejection(source(verified).listDatabases())).message).toBe(expected('verify-full'));
    expect((await dumpToolFailure(verified)).message).toBe(expected('verify-full'));
  });

  it('with prefer, goes on in plain text with a server without TLS, and uses TLS where offered', async () => {
    const plain = source(config(TEST_MYSQL.host, plainPort, { mode: 'prefer' }));
    expect(await plain.listDatabases()).toContain(database);
    const dump = await plain.dump(database);
    const chunks: Buffer[] = [];
    for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
    await dump.done;
    expect(Buffer.concat(chunks).toString()).toContain('über TLS ✓');
    // A source stored before TLS settings existed has none: prefer.
    expect(await source({ ...TEST_MYSQL }).listDatabases()).toContain(database);

    const [tlsBefore, plainBefore] = [tlsServer.tlsConnections, tlsServer.plainConnections];
    await source(config('127.0.0.1', tlsServer.port, { mode: 'prefer' })).testConnection();
    expect([tlsServer.tlsConnections - tlsBefore, tlsServer.plainConnections - plainBefore]).toEqual([1, 0]);
  });

  it('with prefer, never runs the work of a connection twice: only a failed connection is made again in plain text', async () => {
    // Regression: a TLS error raised after connecting made prefer repeat the work (e.g. CREATE DATABASE) without TLS.
    const endpoint = mysqlEndpoint(config('127.0.0.1', tlsServer.port, { mode: 'prefer' }));
    let runs = 0;
    const failure = await rejection(
      withMysql(endpoint, undefined, undefined, async () => {
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
