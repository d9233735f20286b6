import { Socket } from 'node:net';
import type pg from 'pg';
import { DBackupError, cancelledError, throwIfAborted } from '../../../core/errors.ts';
import type { PostgresSourceConfig, SourceTls } from '../../../ports/source.port.ts';
import { withTlsFallback, type ConnectionProgress } from '../tls/tls-fallback.ts';
import { connectTimeoutError, networkErrorCode, unreachableError } from '../connection-errors.ts';
import { tlsError, tlsProblemOfCode } from '../tls/tls-errors.ts';
import { pgSslOption } from './postgres-tls.ts';

/**
 * node-postgres, loaded at the first connection, so a server without PostgreSQL sources does not
 * hold it (see loadMysql in mysql-connection.ts).
 */
let pgLoaded: Promise<typeof pg> | undefined;
const loadPg = (): Promise<typeof pg> => (pgLoaded ??= import('pg').then((module) => module.default));

export const POSTGRES_DEFAULT_PORT = 5432;
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  connectTimeoutSeconds: number;
  /** `PostgreSQL at host:port` */
  label: string;
  tls: SourceTls;
  /**
   * `prefer` only: the server refused TLS once, so later connections of this source go straight to
   * plain text instead of asking again.
   */
  tlsRefused: boolean;
}

export function postgresEndpoint(config: PostgresSourceConfig): PostgresEndpoint {
  const port = config.port ?? POSTGRES_DEFAULT_PORT;
  return {
    host: config.host,
    port,
    user: config.user,
    password: config.password,
    connectTimeoutSeconds: config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    label: `PostgreSQL at ${config.host}:${port}`,
    tls: config.tls ?? { mode: 'prefer' },
    tlsRefused: false,
  };
}

/** The environment that points pg_dump/psql at `database` of `endpoint`; `extra` adds e.g. the TLS variables. */
export function libpqEnvironment(endpoint: PostgresEndpoint, database: string, extra: Record<string, string>): Record<string, string | undefined> {
  return {
    ...extra,
    PGHOST: endpoint.host,
    PGPORT: String(endpoint.port),
    PGUSER: endpoint.user,
    PGPASSWORD: endpoint.password,
    PGDATABASE: database,
    PGCONNECT_TIMEOUT: String(endpoint.connectTimeoutSeconds),
    PGAPPNAME: 'dbackup',
  };
}

/**
 * Opens a connection to `database`, runs `work`, and always closes it. Connection and query
 * failures come out as `DBackupError` (see `postgresError`); the signal ends the connection.
 *
 * TLS follows `endpoint.tls`. With `prefer`, when the server refuses TLS (or the handshake fails)
 * the connection is made again in plain text, as libpq does; with `require` and the verify modes
 * that is the error.
 */
export async function withPostgres<T>(
  endpoint: PostgresEndpoint,
  database: string,
  signal: AbortSignal | undefined,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  return withTlsFallback(endpoint, (attemptTls, progress) => connectAndRun(endpoint, database, signal, attemptTls, work, progress));
}

async function connectAndRun<T>(
  endpoint: PostgresEndpoint,
  database: string,
  signal: AbortSignal | undefined,
  attemptTls: boolean,
  work: (client: pg.Client) => Promise<T>,
  progress: ConnectionProgress,
): Promise<T> {
  throwIfAborted(signal);
  // Our own socket, so a timeout or an abort can cut a connection attempt the server never answers
  // (ending the client politely would wait for the server forever).
  let socket: Socket | undefined;
  // The server's one-byte answer to the SSLRequest: 'S' (TLS follows) or 'N' (refused). pg reports
  // a refusal only in words, so the byte itself tells it apart from other failures.
  let tlsAnswer: string | undefined;
  const { Client } = await loadPg();
  const client = new Client({
    stream: () => {
      socket = new Socket();
      if (attemptTls) socket.once('data', (chunk: Buffer) => (tlsAnswer = chunk.subarray(0, 1).toString('latin1')));
      return socket;
    },
    ssl: pgSslOption(endpoint.tls, attemptTls),
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password: endpoint.password ?? '',
    database,
    application_name: 'dbackup',
  });
  // A connection dropped by the server surfaces through the pending query; an 'error' event
  // without a listener would crash the process instead.
  client.on('error', () => {});

  let interruption: DBackupError | undefined;
  const interrupt = (error: DBackupError): void => {
    interruption ??= error;
    // Not client.end(): during the handshake pg would then never settle the pending connect().
    socket?.destroy();
  };
  const onAbort = (): void => interrupt(cancelledError(signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => interrupt(connectTimeoutError('PostgreSQL', endpoint.host, endpoint.port, endpoint.connectTimeoutSeconds)),
    endpoint.connectTimeoutSeconds * 1000,
  );
  try {
    try {
      await client.connect();
    } finally {
      clearTimeout(timer);
    }
    progress.connected = true;
    return await work(client);
  } catch (error) {
    if (interruption) throw interruption;
    if (tlsAnswer === 'N') throw tlsError('unsupported', endpoint, 'the server answered the SSLRequest with N', error);
    throw postgresError(error, endpoint, database);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (interruption) socket?.destroy();
    else await client.end().catch(() => {});
  }
}

/**
 * Classifies a `pg` failure by its SQLSTATE (`error.code`) or Node socket code, never by its text.
 * The server's own message is quoted for the user's benefit only.
 */
export function postgresError(error: unknown, endpoint: Pick<PostgresEndpoint, 'host' | 'port' | 'user' | 'label' | 'tls'>, database?: string): DBackupError {
  if (error instanceof DBackupError) return error;
  const tlsProblem = tlsProblemOfCode((error as { code?: unknown } | null)?.code);
  if (tlsProblem) return tlsError(tlsProblem, endpoint, error instanceof Error ? error.message : String(error), error);
  const network = networkErrorCode(error);
  if (network) return unreachableError('PostgreSQL', endpoint.host, endpoint.port, network, error);

  const sqlState = (error as { code?: unknown } | null)?.code;
  const serverMessage = error instanceof Error ? error.message : String(error);
  const options = { cause: error, details: { sqlState } };
  switch (sqlState) {
    case '28P01':
    case '28000':
      return new DBackupError(
        'authorization_required',
        `${endpoint.label} refused the login of user "${endpoint.user}" (${serverMessage}). Check the user name and password in the source settings.`,
        options,
      );
    case '3D000':
      return new DBackupError('not_found', `Database "${database ?? ''}" does not exist on ${endpoint.label}.`, options);
    case '42501':
      return new DBackupError(
        'missing_scope',
        `User "${endpoint.user}" lacks a privilege on ${endpoint.label} (${serverMessage}). Grant it, or use a user that can read every object of the database.`,
        options,
      );
    case '42P04':
    case '55006':
      return new DBackupError('conflict', `${endpoint.label}: ${serverMessage}.`, options);
    case '53300':
    case '57P03':
      return new DBackupError('unavailable', `${endpoint.label} is not accepting connections right now (${serverMessage}). Try again later.`, {
        ...options,
        retryable: true,
      });
  }
  if (typeof sqlState === 'string' && sqlState.startsWith('08')) {
    return new DBackupError('unavailable', `The connection to ${endpoint.label} failed (${serverMessage}).`, { ...options, retryable: true });
  }
  return new DBackupError('unavailable', `${endpoint.label} reported an error: ${serverMessage}`, options);
}

export interface PostgresServerVersion {
  /** e.g. `15.20` */
  text: string;
  /** e.g. 15 (9 for 9.6) */
  major: number;
  /** `server_version_num`, e.g. 150020 */
  num: number;
}

export async function serverVersion(client: pg.Client): Promise<PostgresServerVersion> {
  const result = await client.query<{ version: string; num: string }>(
    "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
  );
  const row = result.rows[0];
  const num = Number(row?.num ?? 0);
  return { text: (row?.version ?? '').split(' ')[0] ?? '', major: Math.floor(num / 10000), num };
}
