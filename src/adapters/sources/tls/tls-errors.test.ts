import { describe, expect, it } from 'vitest';
import { tlsError, tlsProblemInToolOutput, tlsProblemOfCode } from './tls-errors.ts';

describe('TLS failures of the client programs', () => {
  // As printed by libpq 15 (pg_dump, psql), MariaDB 10.11's programs and MySQL 8's.
  it.each([
    ['pg_dump: error: connection to server at "db", port 5432 failed: server does not support SSL, but SSL was required', 'unsupported'],
    ['ERROR 2026 (HY000): TLS/SSL error: SSL is required, but the server does not support it', 'unsupported'],
    ["mysqldump: Got error: 2026: SSL connection error: SSL is required but the server doesn't support it when trying to connect", 'unsupported'],
    ['psql: error: connection to server at "127.0.0.1", port 5432 failed: server certificate for "localhost" (and 1 other name) does not match host name "127.0.0.1"', 'host_mismatch'],
    ['psql: error: connection to server at "10.0.0.5", port 5432 failed: server certificate for "db.example" does not match host name "10.0.0.5"', 'host_mismatch'],
    ['ERROR 2026 (HY000): TLS/SSL error: Validation of SSL server certificate failed', 'host_mismatch'],
    ['ERROR 2026 (HY000): SSL connection error: SSL certificate validation failure', 'host_mismatch'],
    ['psql: error: connection to server at "db" (10.0.0.5), port 5432 failed: SSL error: certificate verify failed', 'unknown_ca'],
    ['ERROR 2026 (HY000): TLS/SSL error: unable to get local issuer certificate', 'unknown_ca'],
    ['ERROR 2026 (HY000): TLS/SSL error: self-signed certificate in certificate chain', 'unknown_ca'],
    ['ERROR 2026 (HY000): SSL connection error: error:0A000086:SSL routines::certificate verify failed', 'unknown_ca'],
    ['ERROR 2026 (HY000): TLS/SSL error: certificate has expired', 'expired'],
    ['psql: error: connection to server at "db", port 5432 failed: SSL error: tlsv1 alert protocol version', 'handshake'],
    ['pg_dump: error: connection to server at "db", port 5432 failed: FATAL:  password authentication failed for user "x"', undefined],
  ])('%s → %s', (stderr, problem) => {
    expect(tlsProblemInToolOutput(stderr)).toBe(problem);
  });
});

describe('TLS failures of the drivers', () => {
  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', 'unknown_ca'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unknown_ca'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'unknown_ca'],
    ['CERT_HAS_EXPIRED', 'expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'host_mismatch'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake'],
    ['ECONNRESET', undefined],
    ['28P01', undefined],
    [undefined, undefined],
  ])('Node code %s → %s', (code, problem) => {
    expect(tlsProblemOfCode(code)).toBe(problem);
  });
});

describe('TLS error messages', () => {
  const context = { label: 'PostgreSQL at db.example:5432', host: 'db.example', tls: { mode: 'verify-full' as const } };

  it('are unavailable and not retryable, and say what to do', () => {
    const expired = tlsError('expired', context, 'certificate has expired');
    expect(expired).toMatchObject({ code: 'unavailable', retryable: false, details: { reason: 'tls_certificate', tlsProblem: 'expired', tlsMode: 'verify-full' } });
    expect(expired.message).toBe(
      "The TLS certificate of PostgreSQL at db.example:5432 has expired or is not valid yet. Renew the server's certificate, or check this machine's clock.",
    );
    const handshake = tlsError('handshake', context, 'tlsv1 alert protocol version');
    expect(handshake.details.reason).toBe('tls_handshake');
    expect(handshake.message).toBe(
      'The TLS handshake with PostgreSQL at db.example:5432 failed (tlsv1 alert protocol version). Check the TLS settings of the server and of the source.',
    );
  });
});
