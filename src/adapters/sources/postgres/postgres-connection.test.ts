import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { rejection } from '../source.roundtrip.ts';
import { postgresEndpoint, postgresError, withPostgres } from './postgres-connection.ts';

const endpoint = postgresEndpoint({ host: 'db.example', port: 5432, user: 'backup' });

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('postgresError', () => {
  it.each([
    ['28P01', 'authorization_required'],
    ['28000', 'authorization_required'],
    ['3D000', 'not_found'],
    ['42501', 'missing_scope'],
    ['42P04', 'conflict'],
    ['57P03', 'unavailable'],
    ['08006', 'unavailable'],
    ['XX000', 'unavailable'],
  ])('classifies SQLSTATE %s as %s', (sqlState, code) => {
    expect(postgresError(pgError(sqlState, 'server says no'), endpoint, 'shop').code).toBe(code);
  });

  it('says what to fix for a refused login', () => {
    const error = postgresError(pgError('28P01', 'password authentication failed for user "backup"'), endpoint);
    expect(error.message).toBe(
      'PostgreSQL at db.example:5432 refused the login of user "backup" (password authentication failed for user "backup"). Check the user name and password in the source settings.',
    );
    expect(error.retryable).toBe(false);
  });

  it('classifies socket failures, also inside an AggregateError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = postgresError(new AggregateError([refused]), endpoint);
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^Could not connect to PostgreSQL at db\.example:5432: connection refused\. Check that the server is running/);
  });
});

describe('withPostgres', () => {
  it('gives up after the connect timeout when the server never answers', async () => {
    // A listener that accepts the TCP connection but never speaks the protocol.
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const silent = postgresEndpoint({ host: '127.0.0.1', port, user: 'backup', connectTimeoutSeconds: 0.3 });
      const started = Date.now();
      const error = await rejection(withPostgres(silent, 'postgres', undefined, async () => 1));
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain(`Could not connect to PostgreSQL at 127.0.0.1:${port}: timed out`);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      server.close();
    }
  });

  it('stops connecting when the signal fires', async () => {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const silent = postgresEndpoint({ host: '127.0.0.1', port, user: 'backup' });
      const error = await rejection(withPostgres(silent, 'postgres', AbortSignal.timeout(200), async () => 1));
      expect(error.code).toBe('cancelled');
    } finally {
      server.close();
    }
  });
});
