import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { DBackupError } from '../../core/errors.ts';
import { constraintKind, toStoreError } from './db-errors.ts';
import { newId } from './ids.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('database error classification (real node:sqlite errors)', () => {
  it('recognises unique, foreign key and check violations by result code', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('PRAGMA foreign_keys = ON; CREATE TABLE p (id TEXT PRIMARY KEY, n INTEGER CHECK (n > 0)); CREATE TABLE c (p TEXT REFERENCES p(id))');
    db.exec("INSERT INTO p VALUES ('a', 1)");
    expect(constraintKind(thrownBy(() => db.exec("INSERT INTO p VALUES ('a', 2)")))).toBe('unique');
    expect(constraintKind(thrownBy(() => db.exec("INSERT INTO c VALUES ('zz')")))).toBe('foreign_key');
    expect(constraintKind(thrownBy(() => db.exec("INSERT INTO p VALUES ('b', 0)")))).toBe('check');
    expect(constraintKind(new Error('UNIQUE constraint failed'))).toBeUndefined();
    db.close();
  });

  it('maps lock contention from another connection to a retryable transient error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbk-busy-'));
    dirs.push(dir);
    const file = join(dir, 'x.sqlite');
    const holder = new DatabaseSync(file);
    holder.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (v TEXT)');
    const waiter = new DatabaseSync(file, { timeout: 20 });
    holder.exec('BEGIN IMMEDIATE');
    const error = toStoreError(thrownBy(() => waiter.exec('BEGIN IMMEDIATE')));
    holder.exec('ROLLBACK');
    holder.close();
    waiter.close();
    expect(error.code).toBe('transient');
    expect(error.retryable).toBe(true);
  });

  it('maps PostgreSQL connection and serialisation failures by SQLSTATE; passes DBackupErrors through', () => {
    expect(toStoreError(Object.assign(new Error('x'), { code: '57P01' })).code).toBe('unavailable');
    expect(toStoreError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).code).toBe('unavailable');
    expect(toStoreError(Object.assign(new Error('x'), { code: '40001' })).code).toBe('transient');
    expect(toStoreError(new Error('odd')).code).toBe('internal');
    const own = new DBackupError('not_found', 'gone');
    expect(toStoreError(own)).toBe(own);
  });
});

describe('newId', () => {
  it('makes RFC 9562 version 7 UUIDs that sort by creation time', () => {
    const early = newId(1_700_000_000_000);
    const late = newId(1_700_000_000_001);
    expect(early).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early < late).toBe(true);
    expect(newId()).not.toBe(newId());
  });
});
