import { DBackupError } from '../../core/errors.ts';

/** Socket-level failures, keyed by Node's `error.code`, with how to say them to a user. */
const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed',
};

/**
 * The Node network error code behind `error`, if it is a socket failure. Looks into
 * AggregateError too: Node raises one when every address of a host name (IPv6 and IPv4) failed.
 */
export function networkErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in NETWORK_CODES) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = networkErrorCode(inner);
      if (innerCode) return innerCode;
    }
  }
  return undefined;
}

/** `unavailable` (retryable) for a server that could not be reached. */
export function unreachableError(serverLabel: string, host: string, port: number, code: string, cause?: unknown): DBackupError {
  const reason = NETWORK_CODES[code] ?? code;
  const advice =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? 'Check the host name in the source settings.'
      : 'Check that the server is running, that the host and port in the source settings are right, and that it accepts TCP connections from this machine.';
  return new DBackupError('unavailable', `Could not connect to ${serverLabel} at ${host}:${port}: ${reason}. ${advice}`, {
    cause,
    retryable: true,
    details: { reason: 'unreachable', networkCode: code, host, port },
  });
}

/** `unavailable` (retryable) when connecting took longer than the configured timeout. */
export function connectTimeoutError(serverLabel: string, host: string, port: number, seconds: number): DBackupError {
  return unreachableError(serverLabel, host, port, 'ETIMEDOUT', new Error(`no answer within ${seconds} s`));
}

/** Database names travel as arguments and identifiers: refuse what no engine accepts. */
export function assertDatabaseName(name: string, maxBytes: number): void {
  if (name.length === 0 || name.includes('\0') || Buffer.byteLength(name) > maxBytes) {
    throw new DBackupError('invalid_input', `"${name}" is not a valid database name (1 to ${maxBytes} bytes, no NUL characters).`, {
      details: { database: name },
    });
  }
}
