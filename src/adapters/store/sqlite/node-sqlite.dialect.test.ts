import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteKysely } from './open-sqlite.ts';

interface TestDb {
  items: { id: string; n: number };
}

const open: Kysely<TestDb>[] = [];
async function memoryDb(): Promise<Kysely<TestDb>> {
  const db = openSqliteKysely<TestDb>({ filename: ':memory:' });
  open.push(db);
  await db.schema.createTable('items').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('n', 'integer', (c) => c.notNull()).execute();
  return db;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.destroy()));
});

describe('node:sqlite Kysely dialect', () => {
  it('runs writes, reads and RETURNING through one statement interface', async () => {
    const db = await memoryDb();
    const inserted = await db.insertInto('items').values({ id: 'a', n: 1 }).executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(1n);
    const returned = await db.insertInto('items').values({ id: 'b', n: 2 }).returningAll().executeTakeFirstOrThrow();
    expect(returned).toEqual({ id: 'b', n: 2 });
    const updated = await db.updateTable('items').set({ n: 5 }).where('n', '>', 0).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom('items').where('id', '=', 'a').returning('n').execute();
    expect(deleted).toEqual([{ n: 5 }]);
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([{ id: 'b', n: 5 }]);
  });

  it('rolls back a failed transaction and commits a good one', async () => {
    const db = await memoryDb();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ id: 'x', n: 1 }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.transaction().execute((trx) => trx.insertInto('items').values({ id: 'y', n: 2 }).execute());
    expect(await db.selectFrom('items').select('id').execute()).toEqual([{ id: 'y' }]);
  });

  it('serialises concurrent transactions on the single connection', async () => {
    const db = await memoryDb();
    await db.insertInto('items').values({ id: 'counter', n: 0 }).execute();
    const increment = () =>
      db.transaction().execute(async (trx) => {
        const { n } = await trx.selectFrom('items').select('n').where('id', '=', 'counter').executeTakeFirstOrThrow();
        await new Promise((r) => setTimeout(r, 1));
        await trx.updateTable('items').set({ n: n + 1 }).where('id', '=', 'counter').execute();
      });
    await Promise.all(Array.from({ length: 20 }, increment));
    expect((await db.selectFrom('items').select('n').executeTakeFirstOrThrow()).n).toBe(20);
  });

  it('supports savepoints inside a controlled transaction', async () => {
    const db = await memoryDb();
    const trx = await db.startTransaction().execute();
    await trx.insertInto('items').values({ id: 'kept', n: 1 }).execute();
    const sp = await trx.savepoint('sp1').execute();
    await sp.insertInto('items').values({ id: 'dropped', n: 2 }).execute();
    await sp.rollbackToSavepoint('sp1').execute();
    await trx.commit().execute();
    expect(await db.selectFrom('items').select('id').execute()).toEqual([{ id: 'kept' }]);
  });

  it('streams select results in chunks', async () => {
    const db = await memoryDb();
    await db.insertInto('items').values(Array.from({ length: 250 }, (_, i) => ({ id: `k${i}`, n: i }))).execute();
    let count = 0;
    for await (const row of db.selectFrom('items').selectAll().stream(100)) count += row.n >= 0 ? 1 : 0;
    expect(count).toBe(250);
  });

  it('opens files in WAL mode with foreign keys on and a busy timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbk-sqlite-'));
    try {
      const db = openSqliteKysely<TestDb>({ filename: join(dir, 'x.sqlite'), busyTimeoutMs: 1234 });
      open.push(db);
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db);
      const timeout = await sql<{ timeout: number }>`pragma busy_timeout`.execute(db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      expect(timeout.rows[0]?.timeout).toBe(1234);
    } finally {
      await Promise.all(open.splice(0).map((db) => db.destroy()));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a file that is not a database as unavailable, naming the fix', async () => {
    expect(() => openSqliteKysely({ filename: '/nonexistent-dir/x/y.sqlite' })).toThrow(/DBACKUP_DATA_DIR is writable/);
  });
});
