import type mysql from 'mysql2';
import type { Connection as PromiseConnection } from 'mysql2/promise';
import { DBackupError, cancelledError, throwIfAborted } from '../../../core/errors.ts';
import type { MysqlSourceConfig, SourceTls } from '../../../ports/source.port.ts';
import { withTlsFallback, type ConnectionProgress } from '../tls/tls-fallback.ts';
import { networkErrorCode, unreachableError } from '../connection-errors.ts';
import { mysqlSslOption, mysqlTlsFailure, watchTlsHandshake, type TlsHandshakeWatch } from './mysql-tls.ts';

/**
 * mysql2, loaded at the first connection, so a server without MySQL or MariaDB sources does not
 * hold it (with node-postgres loaded the same way, the idle server measured 89 instead of 95 MiB).
 */
let mysqlLoaded: Promise<typeof mysql> | undefined;
const loadMysql = (): Promise<typeof mysql> => (mysqlLoaded ??= import('mysql2').then((module) => module.default));

export const MYSQL_DEFAULT_PORT = 3306;
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

export type MysqlFlavour = 'mysql' | 'mariadb';

export interface MysqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  connectTimeoutSeconds: number;
  /** `MariaDB at host:port` (or MySQL, after the configured flavour). */
  label: string;
  serverName: string;
  tls: SourceTls;
  /**
   * `prefer` only: the server offered no TLS once, so later connections of this source go straight
   * to plain text instead of trying again.
   */
  tlsRefused: boolean;
}

export function mysqlEndpoint(config: MysqlSourceConfig): MysqlEndpoint {
  const port = config.port ?? MYSQL_DEFAULT_PORT;
  const serverName = config.engine === 'mariadb' ? 'MariaDB' : 'MySQL';
  return {
    host: config.host,
    port,
    user: config.user,
    password: config.password ?? '',
    connectTimeoutSeconds: config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    label: `${serverName} at ${config.host}:${port}`,
    serverName,
    tls: config.tls ?? { mode: 'prefer' },
    tlsRefused: false,
  };
}

/**
 * Opens a connection (to `database` when given), runs `work`, and always closes it. Failures come
 * out as `DBackupError` (see `mysqlError`); the signal destroys the connection.
 *
 * TLS follows `endpoint.tls`. With `prefer`, when the server offers no TLS (or the handshake
 * fails) the connection is made again in plain text; with `require` and the verify modes that is
 * the error.
 */
export async function withMysql<T>(
  endpoint: MysqlEndpoint,
  database: string | undefined,
  signal: AbortSignal | undefined,
  work: (connection: PromiseConnection) => Promise<T>,
): Promise<T> {
  return withTlsFallback(endpoint, (attemptTls, progress) => connectAndRun(endpoint, database, signal, attemptTls, work, progress));
}

async function connectAndRun<T>(
  endpoint: MysqlEndpoint,
  database: string | undefined,
  signal: AbortSignal | undefined,
  attemptTls: boolean,
  work: (connection: PromiseConnection) => Promise<T>,
  progress: ConnectionProgress,
): Promise<T> {
  throwIfAborted(signal);
  // The callback flavour hands out the connection before the handshake, so an abort can cut it.
  const { createConnection } = await loadMysql();
  const connection = createConnection({
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password,
    database,
    connectTimeout: endpoint.connectTimeoutSeconds * 1000,
    charset: 'utf8mb4_general_ci',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    ssl: mysqlSslOption(endpoint.tls, attemptTls),
  });
  let handshakeWatch: TlsHandshakeWatch | undefined;
  let interruption: DBackupError | undefined;
  let rejectAborted: (error: unknown) => void = () => {};
  // destroy() settles neither the handshake nor a running query, so the abort races both.
  const aborted = new Promise<never>((_resolve, reject) => (rejectAborted = reject));
  aborted.catch(() => {});
  const onAbort = (): void => {
    interruption ??= cancelledError(signal?.reason);
    connection.destroy();
    rejectAborted(interruption);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (attemptTls) handshakeWatch = watchTlsHandshake(connection, endpoint.host, endpoint.tls);
    const handshake = new Promise<void>((resolve, reject) => {
      connection.once('connect', () => resolve());
      connection.once('error', reject);
    });
    await Promise.race([handshake, aborted]);
    progress.connected = true;
    // Later fatal errors reach the pending query; without a listener they would crash the process.
    connection.on('error', () => {});
    const running = work(connection.promise());
    running.catch(() => {});
    return await Promise.race([running, aborted]);
  } catch (error) {
    if (interruption) throw interruption;
    throw (handshakeWatch && mysqlTlsFailure(error, endpoint, handshakeWatch)) || mysqlError(error, endpoint, database);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    connection.destroy();
  }
}

/**
 * Classifies a mysql2 failure by its error code (`ER_…` names of the server's error numbers, or Node
 * socket codes), never by its text. The server's message is quoted for the user only.
 */
export function mysqlError(error: unknown, endpoint: MysqlEndpoint, database?: string): DBackupError {
  if (error instanceof DBackupError) return error;
  const network = networkErrorCode(error);
  if (network) return unreachableError(endpoint.serverName, endpoint.host, endpoint.port, network, error);
  const code = (error as { code?: unknown } | null)?.code;
  const serverMessage = error instanceof Error ? error.message : String(error);
  const options = { cause: error, details: { mysqlCode: code } };
  switch (code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
    case 'ER_NOT_SUPPORTED_AUTH_MODE':
    case 'ER_HOST_NOT_PRIVILEGED':
      return new DBackupError(
        'authorization_required',
        `${endpoint.label} refused the login of user "${endpoint.user}" (${serverMessage}). Check the user name and password in the source settings.`,
        options,
      );
    case 'ER_BAD_DB_ERROR':
      return new DBackupError('not_found', `Database "${database ?? ''}" does not exist on ${endpoint.label}.`, options);
    case 'ER_DBACCESS_DENIED_ERROR':
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_SPECIFIC_ACCESS_DENIED_ERROR':
    case 'ER_PROCACCESS_DENIED_ERROR':
      return new DBackupError(
        'missing_scope',
        `User "${endpoint.user}" lacks a privilege on ${endpoint.label} (${serverMessage}). Grant it, or use a user that can read every object of the database.`,
        options,
      );
    case 'ER_DB_CREATE_EXISTS':
      return new DBackupError('conflict', `${endpoint.label}: ${serverMessage}.`, options);
    case 'ER_CON_COUNT_ERROR':
    case 'ER_TOO_MANY_USER_CONNECTIONS':
    case 'ER_SERVER_SHUTDOWN':
    case 'PROTOCOL_CONNECTION_LOST':
      return new DBackupError('unavailable', `${endpoint.label} is not accepting connections right now (${serverMessage}). Try again later.`, {
        ...options,
        retryable: true,
      });
  }
  return new DBackupError('unavailable', `${endpoint.label} reported an error: ${serverMessage}`, options);
}

export interface MysqlServerInfo {
  flavour: MysqlFlavour;
  /** e.g. `10.11.19` */
  version: string;
  major: number;
  minor: number;
}

/** `10.11.19-MariaDB-0+deb12u1` → MariaDB 10.11.19; `8.0.36-0ubuntu0.22.04.1` → MySQL 8.0.36. */
export function parseServerVersion(versionString: string): MysqlServerInfo {
  const flavour: MysqlFlavour = /mariadb/i.test(versionString) ? 'mariadb' : 'mysql';
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(versionString);
  const [major, minor, patch] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0), match?.[3]];
  return { flavour, version: match ? `${major}.${minor}${patch === undefined ? '' : `.${patch}`}` : versionString, major, minor };
}

export async function serverInfo(connection: PromiseConnection): Promise<MysqlServerInfo> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
  return parseServerVersion(String(rows[0]?.version ?? ''));
}

/** Quotes an identifier for MySQL/MariaDB: backticks, inner backticks doubled. */
export function quoteMysqlIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}
