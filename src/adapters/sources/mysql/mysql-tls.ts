import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { Connection, SslOptions } from 'mysql2';
import { DBackupError } from '../../../core/errors.ts';
import type { SourceTls } from '../../../ports/source.port.ts';
import { tlsError, tlsProblemOfCode, type TlsErrorContext } from '../tls/tls-errors.ts';

/**
 * The `ssl` option of `mysql2` for one connection attempt; `undefined` connects in plain text.
 * `prefer` asks for TLS like `require`; mysql2 gives up when the server offers none, so falling
 * back to plain text is the caller's part (see `withMysql`).
 */
export function mysqlSslOption(tls: SourceTls, attemptTls: boolean): SslOptions | undefined {
  if (!attemptTls || tls.mode === 'disable') return undefined;
  if (tls.mode === 'prefer' || tls.mode === 'require') return { rejectUnauthorized: false };
  // Without a pasted CA, Node's default CAs. The host name of verify-full is checked by
  // `watchTlsHandshake` (mysql2's own check skips IP addresses).
  return { ...(tls.caCertificate === undefined ? {} : { ca: tls.caCertificate }), rejectUnauthorized: true, verifyIdentity: false };
}

/** mysql2's connection internals used to follow its TLS handshake (mysql2 3.x). */
interface TlsInternals {
  startTLS?: (this: unknown, onSecure: (error?: Error | null) => void) => void;
  stream?: { getPeerCertificate?: (detailed: boolean) => PeerCertificate };
}

export interface TlsHandshakeWatch {
  /** Node's code for the TLS failure (mysql2 replaces it with HANDSHAKE_SSL_ERROR), if any. */
  failureCode(): string | undefined;
}

/**
 * Hooks into `connection`'s switch to TLS, between the handshake and sending the login. There it
 * checks, for verify-full, that the certificate names `host`: mysql2 compares the certificate with
 * "localhost" when the host is an IP address. And it keeps the TLS failure's code for the message.
 */
export function watchTlsHandshake(connection: Connection, host: string, tls: SourceTls): TlsHandshakeWatch {
  const internals = connection as unknown as TlsInternals;
  const startTLS = internals.startTLS;
  let failureCode: string | undefined;
  if (typeof startTLS !== 'function') {
    // Fail closed: without the hook verify-full would not check IP addresses.
    if (tls.mode === 'verify-full') throw new DBackupError('internal', 'This version of mysql2 cannot be watched during its TLS handshake; verify-full is not available with it.');
    return { failureCode: () => undefined };
  }
  internals.startTLS = function (this: unknown, onSecure) {
    startTLS.call(this, (error) => {
      let failure = error ?? undefined;
      if (!failure && tls.mode === 'verify-full') {
        const certificate = internals.stream?.getPeerCertificate?.(true);
        failure = certificate ? checkServerIdentity(host, certificate) : new Error('the server sent no certificate');
      }
      if (failure) failureCode = String((failure as { code?: unknown }).code ?? '');
      onSecure(failure ?? null);
    });
  };
  return { failureCode: () => failureCode };
}

/** The TLS error behind a failed mysql2 connection, if TLS was the problem. */
export function mysqlTlsFailure(error: unknown, context: TlsErrorContext, watch: TlsHandshakeWatch): DBackupError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT') return tlsError('unsupported', context, detail, error);
  if (code === 'HANDSHAKE_SSL_ERROR') return tlsError(tlsProblemOfCode(watch.failureCode()) ?? 'handshake', context, detail, error);
  const problem = tlsProblemOfCode(code);
  return problem ? tlsError(problem, context, detail, error) : undefined;
}
