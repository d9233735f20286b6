import { pipeline, type Readable } from 'node:stream';
import type { RowDataPacket } from 'mysql2';
import { DBackupError, throwIfAborted } from '../../../core/errors.ts';
import type { DatabaseSource, DumpHandle, MysqlSourceConfig, RestoreOptions, ServerInfo, SourceCallOptions } from '../../../ports/source.port.ts';
import { assertDatabaseName } from '../connection-errors.ts';
import { describeExit, runTool, startTool, toolEnv, type ToolFailure } from '../process-runner.ts';
import { tlsError, tlsProblemInToolOutput } from '../tls/tls-errors.ts';
import { trailerGuard } from '../trailer-guard.ts';
import { withoutDefiners } from './definer-filter.ts';
import { writeDefaultsFile } from './mysql-defaults-file.ts';
import { mysqlEndpoint, quoteMysqlIdentifier, serverInfo, withMysql, type MysqlEndpoint } from './mysql-connection.ts';
import { dumpArguments, resolveMysqlTool, type MysqlTools } from './mysql-tools.ts';

export interface MysqlSourceDeps {
  /** Paths of the dump program and client (tests point these at missing or fake programs). */
  tools?: MysqlTools;
  /** Where the short-lived option file with the login (and the CA file) is written. Default: the OS temp dir. */
  tempDir?: string;
}

const SYSTEM_DATABASES = new Set(['information_schema', 'performance_schema', 'mysql', 'sys']);
const MAX_NAME_BYTES = 256;
/** mysqldump's last comment (`-- Dump completed on <date>`); its absence means a cut dump. */
const DUMP_COMPLETE_MARKER = '-- Dump completed';

/**
 * MySQL and MariaDB through `mariadb-dump`/`mysqldump` (one InnoDB snapshot) and the `mariadb`/
 * `mysql` client. The server's flavour is detected from its version and picks the programs. The
 * login and the TLS settings reach the programs through a temporary 0600 option file, never the
 * command line.
 *
 * Restores are not atomic: MySQL commits DDL implicitly. A failed restore into a database that
 * restore created drops it again; otherwise the target may be left partially restored.
 */
export function createMysqlSource(config: MysqlSourceConfig, deps: MysqlSourceDeps = {}): DatabaseSource {
  const endpoint = mysqlEndpoint(config);
  const connectionArgs = [`--host=${endpoint.host}`, `--port=${endpoint.port}`, '--protocol=TCP', '--max-allowed-packet=1073741824'];

  return {
    engine: config.engine ?? 'mysql',
    displayName: endpoint.label,

    async testConnection(options: SourceCallOptions = {}): Promise<ServerInfo> {
      const server = await withMysql(endpoint, undefined, options.signal, serverInfo);
      return { engine: server.flavour, serverVersion: server.version };
    },

    async listDatabases(options: SourceCallOptions = {}): Promise<string[]> {
      const [rows] = await withMysql(endpoint, undefined, options.signal, (connection) =>
        connection.query<RowDataPacket[]>('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA'),
      );
      return rows.map((row) => String(row.name)).filter((name) => !SYSTEM_DATABASES.has(name)).sort(byCodePoint);
    },

    async dump(database: string, options: SourceCallOptions = {}): Promise<DumpHandle> {
      assertDatabaseName(database, MAX_NAME_BYTES);
      // Connecting to the database itself checks reachability, login, existence and access up front.
      const server = await withMysql(endpoint, database, options.signal, serverInfo);
      const tool = await resolveMysqlTool('dump', deps.tools?.dump, server, options.signal);
      throwIfAborted(options.signal);
      const login = await writeDefaultsFile(endpoint, deps.tempDir, { settings: endpoint.tls, flavour: tool.flavour });
      const child = startTool(
        {
          name: tool.name,
          path: tool.path,
          // `--` so that no database name can be read as an option.
          args: [login.argument, ...connectionArgs, ...dumpArguments(tool, server), '--', database],
          env: toolEnv(),
          installHint: tool.installHint,
          describeFailure: (failure) =>
            mysqlToolTlsFailure(failure, endpoint) ??
            new DBackupError('unavailable', `Dumping database "${database}" with ${failure.name} failed (${describeExit(failure)}) on ${endpoint.label}: ${failure.stderr || 'no error output'}`, {
              details: { tool: failure.name, exitCode: failure.exitCode, stderr: failure.stderr },
            }),
        },
        { signal: options.signal },
      );
      // The option file is read at start-up, but keep it until the end: removal is cheap to defer.
      void child.done.catch(() => {}).finally(() => login.remove().catch(() => {}));
      return { stream: child.stdout, done: child.done, engine: server.flavour, serverVersion: server.version, tool: tool.name, toolVersion: tool.version };
    },

    async restore(database: string, input: Readable, options: RestoreOptions = {}): Promise<void> {
      const { signal } = options;
      try {
        assertDatabaseName(database, MAX_NAME_BYTES);
        const server = await withMysql(endpoint, undefined, signal, serverInfo);
        const client = await resolveMysqlTool('client', deps.tools?.client, server, signal);
        const created = await prepareTarget(database, options);
        const login = await writeDefaultsFile(endpoint, deps.tempDir, { settings: endpoint.tls, flavour: client.flavour });
        try {
          await runTool(
            {
              name: client.name,
              path: client.path,
              args: [
                login.argument,
                ...connectionArgs,
                `--database=${database}`,
                '--default-character-set=utf8mb4',
                `--connect-timeout=${endpoint.connectTimeoutSeconds}`,
                '--batch',
              ],
              env: toolEnv(),
              installHint: client.installHint,
              describeFailure: (failure) => clientFailed(failure, endpoint, database),
            },
            { signal, input: options.skipOwnership ? withoutDefinersOf(input) : input, inputGuard: trailerGuard(DUMP_COMPLETE_MARKER, 'mysqldump'), maxStdout: 64 * 1024 },
          );
        } catch (error) {
          if (created) await dropDatabase(database).catch(() => {});
          throw error;
        } finally {
          await login.remove().catch(() => {});
        }
      } catch (error) {
        input.destroy();
        throw error;
      }
    },
  };

  /** Makes `database` an empty database per the options; returns whether it did not exist before. */
  async function prepareTarget(database: string, options: RestoreOptions): Promise<boolean> {
    return withMysql(endpoint, undefined, options.signal, async (connection) => {
      const quoted = quoteMysqlIdentifier(database);
      const [schemas] = await connection.query<RowDataPacket[]>(
        'SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [database],
      );
      const existing = schemas[0];
      if (!existing) {
        if (!options.createDatabase) {
          throw new DBackupError('not_found', `Database "${database}" does not exist on ${endpoint.label}. Create it first, or let the restore create it.`);
        }
        await connection.query(`CREATE DATABASE ${quoted}`);
        return true;
      }
      const [counts] = await connection.query<RowDataPacket[]>(
        `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?)
              + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?)
              + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?) AS objects`,
        [database, database, database],
      );
      if (Number(counts[0]?.objects ?? 0) === 0) return false;
      if (!options.dropExisting) {
        throw new DBackupError(
          'conflict',
          `Database "${database}" on ${endpoint.label} already holds tables or other objects. Restore into a new or empty database, or choose to replace the existing one.`,
        );
      }
      // Recreated with its own defaults, which the dump (of tables, not of the database) does not carry.
      await connection.query(`DROP DATABASE ${quoted}`);
      await connection.query(`CREATE DATABASE ${quoted} CHARACTER SET ? COLLATE ?`, [String(existing.charset), String(existing.collation)]);
      return false;
    });
  }

  async function dropDatabase(database: string): Promise<void> {
    await withMysql(endpoint, undefined, undefined, (connection) => connection.query(`DROP DATABASE IF EXISTS ${quoteMysqlIdentifier(database)}`));
  }
}

/**
 * The client prints `ERROR <number> (<SQLSTATE>) at line <n>: <message>`; the number is the
 * server's (or client's, 2xxx) error code and decides the classification.
 */
export function clientFailed(failure: ToolFailure, endpoint: Pick<MysqlEndpoint, 'label' | 'host' | 'tls'>, database: string): DBackupError {
  const tls = mysqlToolTlsFailure(failure, endpoint);
  if (tls) return tls;
  const errorNumber = Number(/ERROR (\d+)/.exec(failure.stderr)?.[1] ?? 0);
  const details = { tool: failure.name, exitCode: failure.exitCode, errorNumber, stderr: failure.stderr };
  const output = failure.stderr || `no error output, ${describeExit(failure)}`;
  if ([2002, 2003, 2005, 2006, 2013].includes(errorNumber)) {
    return new DBackupError('unavailable', `The connection to ${endpoint.label} failed during the restore of "${database}", which may be partially restored: ${output}`, {
      retryable: true,
      details,
    });
  }
  if ([1044, 1045, 1698].includes(errorNumber)) {
    return new DBackupError('authorization_required', `${endpoint.label} refused the restore of "${database}": ${output}. Check the user name, password and privileges.`, { details });
  }
  if ([1142, 1227, 1370].includes(errorNumber)) {
    return new DBackupError('missing_scope', `The user lacks a privilege the restore of "${database}" needs: ${output}`, { details });
  }
  if (errorNumber > 0) {
    return new DBackupError('invalid_input', `${endpoint.label} rejected a statement of the backup; "${database}" may be partially restored: ${output}`, { details });
  }
  return new DBackupError('unavailable', `${failure.name} failed (${describeExit(failure)}) while restoring "${database}": ${output}`, { details });
}

/**
 * The TLS error behind a failure of a client program, said as the driver would say it. Only error
 * 2026 (CR_SSL_CONNECTION_ERROR) counts: a statement of the backup may well contain the same words.
 */
export function mysqlToolTlsFailure(failure: ToolFailure, endpoint: Pick<MysqlEndpoint, 'label' | 'host' | 'tls'>): DBackupError | undefined {
  if (!/^ERROR 2026 \(|Got error: 2026: /m.test(failure.stderr)) return undefined;
  return tlsError(tlsProblemInToolOutput(failure.stderr) ?? 'handshake', endpoint, failure.stderr);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `input` without its DEFINER clauses (see definer-filter.ts); errors of `input` end the stream too. */
function withoutDefinersOf(input: Readable): Readable {
  return pipeline(input, withoutDefiners(), () => undefined);
}
