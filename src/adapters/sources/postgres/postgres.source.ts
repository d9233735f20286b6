import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { pipeline, type Readable } from 'node:stream';
import type pg from 'pg';
import { DBackupError, throwIfAborted } from '../../../core/errors.ts';
import type {
  DatabaseSource,
  DumpHandle,
  PostgresSourceConfig,
  RestoreOptions,
  ServerInfo,
  SourceCallOptions,
} from '../../../ports/source.port.ts';
import { assertDatabaseName } from '../connection-errors.ts';
import { describeExit, runTool, startTool, toolEnv, type ToolFailure } from '../process-runner.ts';
import { tlsError, tlsProblemInToolOutput } from '../tls/tls-errors.ts';
import { trailerGuard } from '../trailer-guard.ts';
import { libpqEnvironment, postgresEndpoint, serverVersion, withPostgres, type PostgresEndpoint } from './postgres-connection.ts';
import { OwnershipFilter } from './ownership-filter.ts';
import { libpqTls } from './postgres-tls.ts';
import { resolvePostgresTool, type PostgresTools, type ResolvedTool } from './postgres-tools.ts';

export interface PostgresSourceDeps {
  /** Paths of pg_dump / psql (tests point these at missing or fake programs). */
  tools?: PostgresTools;
  /** Where the short-lived CA file for pg_dump/psql is written (verify modes). Default: the OS temp dir. */
  tempDir?: string;
}

const MAX_NAME_BYTES = 63;
/** pg_dump's last comment in a plain-format dump; its absence means the dump was cut short. */
const DUMP_COMPLETE_MARKER = '-- PostgreSQL database dump complete';

/**
 * PostgreSQL through `pg_dump` (plain SQL, one consistent snapshot) and `psql`. Connection checks,
 * listing and CREATE/DROP DATABASE use the `pg` driver. The password reaches the programs only
 * through PGPASSWORD in their environment, the TLS settings through PGSSLMODE and PGSSLROOTCERT.
 *
 * Restore runs `psql --single-transaction -v ON_ERROR_STOP=1`: a failing statement rolls the whole
 * restore back. With `dropExisting`, the dump is restored into a fresh database that replaces the
 * old one only after it succeeded.
 */
export function createPostgresSource(config: PostgresSourceConfig, deps: PostgresSourceDeps = {}): DatabaseSource {
  const endpoint = postgresEndpoint(config);
  const maintenanceDatabase = config.maintenanceDatabase ?? 'postgres';
  const tempDir = deps.tempDir ?? tmpdir();

  const programEnv = (database: string, tlsEnv: Record<string, string>): NodeJS.ProcessEnv => toolEnv(libpqEnvironment(endpoint, database, tlsEnv));

  return {
    engine: 'postgres',
    displayName: endpoint.label,

    async testConnection(options: SourceCallOptions = {}): Promise<ServerInfo> {
      const version = await withPostgres(endpoint, maintenanceDatabase, options.signal, serverVersion);
      return { engine: 'postgres', serverVersion: version.text };
    },

    async listDatabases(options: SourceCallOptions = {}): Promise<string[]> {
      const result = await withPostgres(endpoint, maintenanceDatabase, options.signal, (client) =>
        client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE NOT datistemplate AND datallowconn'),
      );
      return result.rows.map((row) => row.datname).sort(byCodePoint);
    },

    async dump(database: string, options: SourceCallOptions = {}): Promise<DumpHandle> {
      assertDatabaseName(database, MAX_NAME_BYTES);
      // Connecting to the database itself checks reachability, login and existence up front.
      const version = await withPostgres(endpoint, database, options.signal, serverVersion);
      const tool = await resolvePostgresTool('pg_dump', deps.tools?.pgDump, version.major, options.signal);
      throwIfAborted(options.signal);
      const tls = await libpqTls(endpoint.tls, tempDir);
      const child = startTool(
        {
          name: 'pg_dump',
          path: tool.path,
          // Plain SQL without CREATE DATABASE, so the dump restores into a database of any name.
          args: ['--format=plain', '--no-password'],
          env: programEnv(database, tls.env),
          installHint: tool.installHint,
          describeFailure: (failure) => toolFailed(failure, endpoint, `Dumping database "${database}"`),
        },
        { signal: options.signal },
      );
      void child.done.catch(() => {}).finally(() => tls.remove().catch(() => {}));
      return { stream: child.stdout, done: child.done, engine: 'postgres', serverVersion: version.text, tool: 'pg_dump', toolVersion: tool.version };
    },

    async restore(database: string, input: Readable, options: RestoreOptions = {}): Promise<void> {
      const { signal } = options;
      try {
        assertDatabaseName(database, MAX_NAME_BYTES);
        const version = await withPostgres(endpoint, maintenanceDatabase, signal, serverVersion);
        const psql = await resolvePostgresTool('psql', deps.tools?.psql, version.major, signal);
        const plan = await planRestore(database, options);
        try {
          await runPsql(psql, plan.target, options.skipOwnership ? withoutOwnership(input) : input, signal);
        } catch (error) {
          if (plan.created) await dropDatabase(plan.target).catch(() => {});
          throw error;
        }
        if (plan.swapInto) await swapDatabase(plan.target, plan.swapInto);
      } catch (error) {
        input.destroy();
        throw error;
      }
    },
  };

  interface RestorePlan {
    /** The database psql restores into. */
    target: string;
    /** Whether restore created `target` (and so drops it again on failure). */
    created: boolean;
    /** Set with `dropExisting`: the database that `target` replaces after success. */
    swapInto?: string;
  }

  async function planRestore(database: string, options: RestoreOptions): Promise<RestorePlan> {
    const exists = await maintenance(options.signal, async (client) => {
      const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      return result.rowCount === 1;
    });
    if (!exists) {
      if (!options.createDatabase) {
        throw new DBackupError('not_found', `Database "${database}" does not exist on ${endpoint.label}. Create it first, or let the restore create it.`);
      }
      await createDatabase(database, options.signal);
      return { target: database, created: true };
    }
    const holdsObjects = await withPostgres(endpoint, database, options.signal, databaseHoldsObjects);
    if (!holdsObjects) return { target: database, created: false };
    if (!options.dropExisting) {
      throw new DBackupError(
        'conflict',
        `Database "${database}" on ${endpoint.label} already holds tables or other objects. Restore into a new or empty database, or choose to replace the existing one.`,
      );
    }
    const staging = `dbk_restore_${randomBytes(6).toString('hex')}`;
    await createDatabase(staging, options.signal);
    return { target: staging, created: true, swapInto: database };
  }

  async function runPsql(psql: ResolvedTool, target: string, input: Readable, signal: AbortSignal | undefined): Promise<string> {
    const tls = await libpqTls(endpoint.tls, tempDir);
    try {
      return await runTool(
        {
          name: 'psql',
          path: psql.path,
          args: ['--no-psqlrc', '--quiet', '--no-password', '--set=ON_ERROR_STOP=1', '--single-transaction', '--file=-'],
          env: programEnv(target, tls.env),
          installHint: psql.installHint,
          describeFailure: (failure) => psqlFailed(failure, endpoint),
        },
        { signal, input, inputGuard: trailerGuard(DUMP_COMPLETE_MARKER, 'pg_dump'), maxStdout: 64 * 1024 },
      );
    } finally {
      await tls.remove().catch(() => {});
    }
  }

  function maintenance<T>(signal: AbortSignal | undefined, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return withPostgres(endpoint, maintenanceDatabase, signal, work);
  }

  async function createDatabase(name: string, signal: AbortSignal | undefined): Promise<void> {
    // template0: a plain dump expects a database without the site-local additions of template1.
    await maintenance(signal, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0`));
  }

  async function dropDatabase(name: string): Promise<void> {
    await maintenance(undefined, async (client) => {
      const version = await serverVersion(client);
      const quoted = client.escapeIdentifier(name);
      if (version.major >= 13) {
        await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
      } else {
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await client.query(`DROP DATABASE IF EXISTS ${quoted}`);
      }
    });
  }

  async function swapDatabase(staging: string, database: string): Promise<void> {
    await dropDatabase(database);
    await maintenance(undefined, (client) =>
      client.query(`ALTER DATABASE ${client.escapeIdentifier(staging)} RENAME TO ${client.escapeIdentifier(database)}`),
    ).catch((error: unknown) => {
      throw new DBackupError(
        'unavailable',
        `The backup was restored into database "${staging}", but renaming it to "${database}" failed; rename it by hand.`,
        { cause: error, details: { staging, database } },
      );
    });
  }
}

async function databaseHoldsObjects(client: pg.Client): Promise<boolean> {
  const result = await client.query<{ holds: boolean }>(`
    SELECT EXISTS (
      SELECT 1 FROM pg_namespace n
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND (n.nspname <> 'public'
          OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid)
          OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid)
          OR EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid))
    ) AS holds`);
  return result.rows[0]?.holds === true;
}

/**
 * The TLS error behind a pg_dump/psql failure to connect, said as the driver would say it. Only
 * connection failures count: a statement of the backup may well contain the same words.
 */
export function libpqTlsFailure(failure: ToolFailure, endpoint: PostgresEndpoint): DBackupError | undefined {
  if (!/connection to server .*failed:|could not connect to server/.test(failure.stderr)) return undefined;
  const problem = tlsProblemInToolOutput(failure.stderr);
  return problem === undefined ? undefined : tlsError(problem, endpoint, failure.stderr);
}

function toolFailed(failure: ToolFailure, endpoint: PostgresEndpoint, what: string): DBackupError {
  const tls = libpqTlsFailure(failure, endpoint);
  if (tls) return tls;
  return new DBackupError('unavailable', `${what} with pg_dump failed (${describeExit(failure)}) on ${endpoint.label}: ${failure.stderr || 'no error output'}`, {
    details: { tool: failure.name, exitCode: failure.exitCode, stderr: failure.stderr },
  });
}

/** psql exit status: 1 fatal (e.g. out of memory), 2 connection lost, 3 a statement failed. */
function psqlFailed(failure: ToolFailure, endpoint: PostgresEndpoint): DBackupError {
  const details = { tool: 'psql', exitCode: failure.exitCode, stderr: failure.stderr };
  const tls = failure.exitCode === 2 ? libpqTlsFailure(failure, endpoint) : undefined;
  if (tls) return tls;
  // PostgreSQL prints the name as is between quotes, so a name with quotes still ends at `" does not exist`.
  const missingRole = /role "(.+)" does not exist/.exec(failure.stderr)?.[1];
  if (failure.exitCode === 3 && missingRole !== undefined) {
    return new DBackupError(
      'invalid_input',
      `The backup makes the role "${missingRole}" owner of objects or grants it privileges, but ${endpoint.label} has no such role, so nothing was restored (the restore runs in one transaction). ` +
        `Create the role there first (CREATE ROLE "${missingRole.replace(/"/g, '""')}";) and restore again.`,
      { details: { ...details, role: missingRole } },
    );
  }
  if (failure.exitCode === 3) {
    return new DBackupError(
      'invalid_input',
      `PostgreSQL rejected a statement of the backup, so nothing was restored (the restore runs in one transaction): ${failure.stderr}`,
      { details },
    );
  }
  if (failure.exitCode === 2) {
    return new DBackupError('unavailable', `psql lost its connection to ${endpoint.label}; nothing was restored: ${failure.stderr}`, {
      retryable: true,
      details,
    });
  }
  return new DBackupError('unavailable', `psql failed (${describeExit(failure)}); nothing was restored: ${failure.stderr || 'no error output'}`, {
    details,
  });
}

/** The dump without its ownership and privilege statements; a failing input fails the result. */
function withoutOwnership(input: Readable): Readable {
  return pipeline(input, new OwnershipFilter(), () => undefined);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
