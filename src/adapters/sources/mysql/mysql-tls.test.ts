import { describe, expect, it } from 'vitest';
import { mysqlEndpoint } from './mysql-connection.ts';
import { mysqlSslOption, mysqlTlsFailure } from './mysql-tls.ts';

describe('mysql2 ssl option', () => {
  it('follows the mode; the host name of verify-full is checked by the handshake watch, not by mysql2', () => {
    expect(mysqlSslOption({ mode: 'disable' }, true)).toBeUndefined();
    expect(mysqlSslOption({ mode: 'prefer' }, true)).toEqual({ rejectUnauthorized: false });
    expect(mysqlSslOption({ mode: 'prefer' }, false)).toBeUndefined();
    expect(mysqlSslOption({ mode: 'require' }, true)).toEqual({ rejectUnauthorized: false });
    expect(mysqlSslOption({ mode: 'verify-ca', caCertificate: 'PEM' }, true)).toEqual({ ca: 'PEM', rejectUnauthorized: true, verifyIdentity: false });
    expect(mysqlSslOption({ mode: 'verify-full' }, true)).toEqual({ rejectUnauthorized: true, verifyIdentity: false });
  });
});

describe('mysql2 TLS failures', () => {
  const endpoint = mysqlEndpoint({ host: 'db.example', user: 'backup', engine: 'mysql', tls: { mode: 'require' } });
  const failure = (code: string) => Object.assign(new Error('mysql2 says no'), { code });

  it('names a server without TLS, and the TLS problem mysql2 hides behind HANDSHAKE_SSL_ERROR', () => {
    const watch = (code: string | undefined) => ({ failureCode: () => code });
    expect(mysqlTlsFailure(failure('HANDSHAKE_NO_SSL_SUPPORT'), endpoint, watch(undefined))?.details.reason).toBe('tls_unsupported');
    expect(mysqlTlsFailure(failure('HANDSHAKE_SSL_ERROR'), endpoint, watch('CERT_HAS_EXPIRED'))?.details.tlsProblem).toBe('expired');
    expect(mysqlTlsFailure(failure('HANDSHAKE_SSL_ERROR'), endpoint, watch(undefined))?.details.tlsProblem).toBe('handshake');
    expect(mysqlTlsFailure(failure('ER_ACCESS_DENIED_ERROR'), endpoint, watch(undefined))).toBeUndefined();
  });
});
