import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, redact } from './secret.ts';

describe('Secret', () => {
  const secret = new Secret('sl.very-secret-refresh-token');

  it('never prints its value through string conversion, JSON or inspect', () => {
    const holder = { name: 'prod', refreshToken: secret };
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify(holder)).toBe('{"name":"prod","refreshToken":"[redacted]"}');
    expect(inspect(holder)).not.toContain('very-secret');
    expect(inspect(holder)).toContain('Secret([redacted])');
  });

  it('reveals the value only on request and compares in constant time', () => {
    expect(secret.reveal()).toBe('sl.very-secret-refresh-token');
    expect(secret.equals('sl.very-secret-refresh-token')).toBe(true);
    expect(secret.equals(new Secret('other'))).toBe(false);
  });
});

describe('redact', () => {
  it('removes known secret values wherever they appear', () => {
    const line = redact('pg_dump failed: FATAL password hunter2xyz rejected', [new Secret('hunter2xyz')]);
    expect(line).toBe('pg_dump failed: FATAL password [redacted] rejected');
  });

  it.each([
    ['PGPASSWORD=s3cr3t pg_dump -h db', 'PGPASSWORD=[redacted] pg_dump -h db'],
    ['refresh_token=abc.def&client_id=app', 'refresh_token=[redacted]&client_id=app'],
    ['{"appSecret":"xyz","name":"n"}', '{"appSecret":"[redacted]","name":"n"}'],
    ['Authorization: Bearer sl.AbCdEf', 'Authorization: [redacted] [redacted]'],
    ['postgres://backup:pa55@db:5432/app', 'postgres://backup:[redacted]@db:5432/app'],
    ['mysqldump --password=pa55 app', 'mysqldump --password=[redacted] app'],
    ['token dbk_AbCdEfGhIjKlMnOpQrStUv used', 'token [redacted] used'],
    ['code_verifier=abcDEF123', 'code_verifier=[redacted]'],
  ])('redacts %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves ordinary log lines alone', () => {
    const line = 'Uploaded job-a/backup_2024-01-15T12-00-00.sql.gz (12 MiB) to dropbox: 3 tokens refreshed';
    expect(redact(line)).toBe(line);
  });
});
