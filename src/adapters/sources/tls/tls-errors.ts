import { DBackupError } from '../../../core/errors.ts';
import type { SourceTls } from '../../../ports/source.port.ts';

/**
 * TLS failures of the server sources, said the same way whether the driver (`pg`, `mysql2`) or a
 * client program (pg_dump, psql, mariadb-dump, mysql…) met them. The drivers are classified by
 * Node's TLS error codes; the programs only print text, so their stderr is matched against the
 * messages of libpq, MariaDB Connector/C and the MySQL client library.
 */
export type TlsProblem = 'unsupported' | 'unknown_ca' | 'host_mismatch' | 'expired' | 'handshake';

/** What the messages name: the server (`PostgreSQL at db:5432`), the configured host, the settings. */
export interface TlsErrorContext {
  label: string;
  host: string;
  tls: SourceTls;
}

const UNKNOWN_CA_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);
const EXPIRED_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The problem behind a Node TLS error code (`error.code` of a failed handshake), if it is one. */
export function tlsProblemOfCode(code: unknown): TlsProblem | undefined {
  if (typeof code !== 'string') return undefined;
  if (UNKNOWN_CA_CODES.has(code)) return 'unknown_ca';
  if (EXPIRED_CODES.has(code)) return 'expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'host_mismatch';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'handshake';
  return undefined;
}

// Ordered: the first match wins. Examples of what the programs print:
// libpq:     `server does not support SSL, but SSL was required`, `SSL error: certificate verify failed`,
//            `server certificate for "localhost" (and 1 other name) does not match host name "127.0.0.1"`
// MariaDB:   `TLS/SSL error: SSL is required, but the server does not support it`,
//            `TLS/SSL error: unable to get local issuer certificate`, `… Validation of SSL server certificate failed`
// MySQL:     `SSL connection error: SSL is required but the server doesn't support it`,
//            `SSL connection error: error:0A000086:SSL routines::certificate verify failed`
const TOOL_OUTPUT: readonly [RegExp, TlsProblem][] = [
  [/server does not support SSL, but SSL was required|SSL is required,? but the server does(?: not|n't) support it/i, 'unsupported'],
  [/server certificate for ".*" (?:\(and \d+ other names?\) )?does not match host name|Validation of SSL server certificate failed|SSL certificate validation failure/i, 'host_mismatch'],
  [/certificate has expired|certificate is not yet valid/i, 'expired'],
  [/certificate verify failed|unable to get (?:local )?issuer certificate|self[- ]signed certificate|unable to verify the first certificate/i, 'unknown_ca'],
  [/SSL error|TLS\/SSL error|SSL connection error/i, 'handshake'],
];

/** The TLS problem a client program reported on stderr, if any. */
export function tlsProblemInToolOutput(stderr: string): TlsProblem | undefined {
  return TOOL_OUTPUT.find(([pattern]) => pattern.test(stderr))?.[1];
}

/** `unavailable`, not retryable: trying again does not change the server's certificate or settings. */
export function tlsError(problem: TlsProblem, context: TlsErrorContext, detail: string, cause?: unknown): DBackupError {
  const { label, host, tls } = context;
  const reason = problem === 'unsupported' ? 'tls_unsupported' : problem === 'handshake' ? 'tls_handshake' : 'tls_certificate';
  return new DBackupError('unavailable', tlsMessage(problem, label, host, tls, detail), {
    cause,
    retryable: false,
    details: { reason, tlsProblem: problem, tlsMode: tls.mode, detail },
  });
}

function tlsMessage(problem: TlsProblem, label: string, host: string, tls: SourceTls, detail: string): string {
  switch (problem) {
    case 'unsupported':
      return (
        `${label} does not accept TLS connections, but the source's TLS mode is "${tls.mode}". ` +
        "Enable SSL on the server, or set TLS to 'prefer' or 'disable' in the source settings."
      );
    case 'unknown_ca':
      return tls.caCertificate !== undefined
        ? `The TLS certificate of ${label} is not signed by the CA certificate in the source settings. ` +
            "Paste the CA certificate your database provider publishes for this server (or the provider's whole CA bundle)."
        : `The TLS certificate of ${label} is not signed by a CA this machine trusts. ` +
            "Paste your database provider's CA certificate into the source's CA certificate field.";
    case 'host_mismatch':
      return (
        `The TLS certificate of ${label} is not issued for the host name "${host}". ` +
        "Set the source's host to a name the certificate lists (usually the host name your provider gives), or set TLS to 'verify-ca' to check only the CA."
      );
    case 'expired':
      return `The TLS certificate of ${label} has expired or is not valid yet. Renew the server's certificate, or check this machine's clock.`;
    case 'handshake':
      return `The TLS handshake with ${label} failed (${detail}). Check the TLS settings of the server and of the source.`;
  }
}
