import type { Readable } from 'node:stream';

/**
 * A database source: what the backup engine dumps from and restores into.
 *
 * A source is one server (PostgreSQL, MySQL/MariaDB) or one file (SQLite). The databases a job backs
 * up are part of the job, not of the source: the job names them, `listDatabases` offers choices.
 *
 * Error contract shared by every method. Every failure is a `DBackupError` (`core/errors.ts`) whose
 * message says what to do:
 * - `unavailable`: the server cannot be reached (refused, timed out, unknown host; retryable), or a
 *   required tool is missing or too old for the server (`details.reason` is `tool_missing` or
 *   `tool_too_old`, not retryable; the message names the package to install), or a tool failed.
 *   TLS failures are `unavailable` too, not retryable, the same whether the driver or a dump tool
 *   met them: `details.reason` `tls_unsupported` (the TLS mode needs TLS and the server offers
 *   none), `tls_certificate` (`details.tlsProblem` `unknown_ca`, `host_mismatch` or `expired`) or
 *   `tls_handshake`.
 * - `authorization_required`: the server refused the user name or password.
 * - `missing_scope`: the user lacks a privilege the operation needs.
 * - `not_found`: the database (or SQLite file) does not exist.
 * - `conflict`: restore target exists and is not empty, and `dropExisting` was not set.
 * - `integrity`: a restore input ends before the dump's completion marker (truncated backup).
 * - `invalid_input`: the backup contains SQL the server rejected, or a bad name / path was given.
 * - `cancelled`: the signal fired; the child process (if any) is killed, nothing is left running.
 */
export interface DatabaseSource {
  /**
   * The engine this source was configured for. A MySQL-family source reports the configured flavour
   * here; `testConnection` reports what the server actually is.
   */
  readonly engine: DatabaseEngine;

  /** Where the source points, for messages and logs; never contains the password. */
  readonly displayName: string;

  /** Connects, authenticates and reports the server's engine and version. */
  testConnection(options?: SourceCallOptions): Promise<ServerInfo>;

  /** User databases, sorted by name (system schemas and templates left out). */
  listDatabases(options?: SourceCallOptions): Promise<string[]>;

  /**
   * Starts a consistent dump of `database` as SQL text. Resolves once the connection, the database
   * and the dump tool have been checked, so the common failures reject here, before any byte flows.
   *
   * The returned stream reads straight from the dump (bounded memory: it only advances as fast as
   * the consumer reads). It ends ONLY when the dump completed successfully; when the dump fails it
   * is destroyed with the error instead, so a consumer can never mistake a partial dump for a whole
   * one. Destroying the stream or firing the signal stops the dump and releases everything.
   */
  dump(database: string, options?: SourceCallOptions): Promise<DumpHandle>;

  /**
   * Feeds a dump produced by `dump` (of the same engine) into `database`, reading `input` with
   * backpressure. Resolves when every statement has been applied.
   *
   * Target handling: an existing, empty database is restored into; an existing database that holds
   * objects is a `conflict` unless `dropExisting` is set; a missing database is `not_found` unless
   * `createDatabase` is set. A database that `restore` created is removed again when restore fails.
   * A restore input that ends without the dump's completion marker fails with `integrity`.
   *
   * Atomicity differs by engine (see each adapter): PostgreSQL and SQLite apply the whole dump in
   * one transaction, and PostgreSQL with `dropExisting` restores into a new database before
   * swapping it in, so a failed restore leaves the old data untouched. MySQL/MariaDB commit DDL
   * implicitly: a failed restore can leave the target partially restored.
   */
  restore(database: string, input: Readable, options?: RestoreOptions): Promise<void>;
}

export type DatabaseEngine = 'postgres' | 'mysql' | 'mariadb' | 'sqlite';

export interface SourceCallOptions {
  signal?: AbortSignal;
}

export interface RestoreOptions extends SourceCallOptions {
  /** Create the target database when it does not exist. Default `false`. */
  createDatabase?: boolean;
  /** Replace an existing target database that already holds objects. Default `false`. */
  dropExisting?: boolean;
  /**
   * For a server without the backup's accounts. PostgreSQL: leave out the ownership and privilege
   * statements, so every object belongs to the restoring user. MySQL/MariaDB: leave out the
   * DEFINER clauses of views, routines, triggers and events, so the restoring user becomes their
   * definer. SQLite ignores it.
   */
  skipOwnership?: boolean;
}

export interface ServerInfo {
  /** The engine the server actually runs (a MySQL-family source detects `mysql` or `mariadb`). */
  engine: DatabaseEngine;
  /** Version number as the server reports it, e.g. `15.20`, `10.11.19`, `3.53.4`. */
  serverVersion: string;
}

export interface DumpHandle extends ServerInfo {
  /** SQL text; see `DatabaseSource.dump` for its end/error semantics. */
  stream: Readable;
  /** The program that produced the dump, e.g. `pg_dump`, `mariadb-dump`, `node:sqlite`. */
  tool: string;
  /** Its version, e.g. `15.20`. */
  toolVersion: string;
  /**
   * Settles when the dump is over: resolves after a successful dump whose stream has been read to
   * the end, rejects with the same error the stream was destroyed with. Never rejects unobserved
   * (the adapter attaches a handler), so callers that only follow the stream need not await it.
   */
  done: Promise<void>;
}

/** Connection settings shared by the server engines. */
export interface ServerSourceConfig {
  host: string;
  /** Defaults: PostgreSQL 5432, MySQL/MariaDB 3306. */
  port?: number;
  user: string;
  password?: string;
  /** Seconds to wait for a connection before reporting the server unavailable. Default 10. */
  connectTimeoutSeconds?: number;
  /** Default `{ mode: 'prefer' }`. */
  tls?: SourceTls;
}

/**
 * How every connection of a server source (driver and dump/restore tools alike) uses TLS, after
 * libpq's sslmode: `disable` never; `prefer` when the server offers it, else plain; `require`
 * always, without checking the certificate; `verify-ca` always, with a certificate signed by a
 * trusted CA; `verify-full` as verify-ca, and the certificate must name the configured host.
 */
export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface SourceTls {
  mode: TlsMode;
  /**
   * PEM text of the CA certificate(s) trusted for `verify-ca` / `verify-full` (other modes ignore
   * it). Without it, the CAs Node.js trusts by default (Mozilla's list).
   */
  caCertificate?: string;
}

export interface PostgresSourceConfig extends ServerSourceConfig {
  /** Database used for connection tests, listing and CREATE/DROP DATABASE. Default `postgres`. */
  maintenanceDatabase?: string;
}

export interface MysqlSourceConfig extends ServerSourceConfig {
  /** Flavour the user picked; the server's real flavour is detected from its version. Default `mysql`. */
  engine?: 'mysql' | 'mariadb';
}

export interface SqliteSourceConfig {
  /** Absolute path of the database file. Its one database is named by the file's base name. */
  path: string;
}
