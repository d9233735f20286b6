import { describe, expect, it } from 'vitest';
import { mysqlEndpoint, mysqlError } from './mysql-connection.ts';
import { clientFailed } from './mysql.source.ts';

const endpoint = mysqlEndpoint({ host: 'db.example', user: 'backup', engine: 'mariadb' });

describe('mysqlError', () => {
  it.each([
    ['ER_ACCESS_DENIED_ERROR', 'authorization_required'],
    ['ER_BAD_DB_ERROR', 'not_found'],
    ['ER_DBACCESS_DENIED_ERROR', 'missing_scope'],
    ['ER_CON_COUNT_ERROR', 'unavailable'],
    ['ER_SOMETHING_ELSE', 'unavailable'],
  ])('classifies %s as %s', (code, expected) => {
    expect(mysqlError(Object.assign(new Error('server says no'), { code }), endpoint, 'shop').code).toBe(expected);
  });

  it('reports a timed-out connection as unavailable and retryable', () => {
    const error = mysqlError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), endpoint);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^Could not connect to MariaDB at db\.example:3306: timed out\./);
  });
});

describe('clientFailed', () => {
  const failure = (stderr: string) => ({ name: 'mariadb', exitCode: 1, signal: null, stderr });

  it('classifies by the error number the client prints', () => {
    expect(clientFailed(failure("ERROR 1064 (42000) at line 3: You have an error in your SQL syntax"), endpoint, 'shop').code).toBe('invalid_input');
    expect(clientFailed(failure('ERROR 2013 (HY000) at line 90: Lost connection to server during query'), endpoint, 'shop')).toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(clientFailed(failure("ERROR 1045 (28000): Access denied for user 'backup'"), endpoint, 'shop').code).toBe('authorization_required');
    expect(clientFailed(failure('ERROR 1227 (42000) at line 5: Access denied; you need the SUPER privilege'), endpoint, 'shop').code).toBe('missing_scope');
  });

  it('says the target may be partially restored', () => {
    expect(clientFailed(failure('ERROR 1146 (42S02) at line 2: Table x does not exist'), endpoint, 'shop').message).toContain('"shop" may be partially restored');
  });

  it('reports a TLS failure to connect as the driver would, and nothing else as TLS', () => {
    const error = clientFailed(failure('ERROR 2026 (HY000): TLS/SSL error: SSL is required, but the server does not support it'), endpoint, 'shop');
    expect(error.details).toMatchObject({ reason: 'tls_unsupported' });
    expect(error.message).toMatch(/^MariaDB at db\.example:3306 does not accept TLS connections, but the source's TLS mode is "prefer"/);
    const statement = clientFailed(failure("ERROR 1064 (42000) at line 3: near 'ERROR 2026 (HY000): certificate verify failed'"), endpoint, 'shop');
    expect(statement.code).toBe('invalid_input');
  });
});
