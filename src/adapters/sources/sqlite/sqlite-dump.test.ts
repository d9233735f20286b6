import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rejection } from '../source.roundtrip.ts';
import { sqliteDump, SQLITE_DUMP_COMPLETE_MARKER, sqlLiteral } from './sqlite-dump.ts';
import { applySqliteDump } from './sqlite-restore.ts';

async function dumpText(db: DatabaseSync): Promise<string> {
  let text = '';
  for await (const piece of sqliteDump(db)) text += piece;
  return text;
}

async function roundTrip(setup: string): Promise<{ original: DatabaseSync; restored: DatabaseSync; text: string }> {
  const original = new DatabaseSync(':memory:');
  original.exec(setup);
  const text = await dumpText(original);
  const restored = new DatabaseSync(':memory:', { enableForeignKeyConstraints: false });
  restored.exec('BEGIN');
  await applySqliteDump(restored, Readable.from([Buffer.from(text)]));
  restored.exec('COMMIT');
  return { original, restored, text };
}

/** Every value with its storage class and exact bytes (hex of the value's raw representation). */
function exactRows(db: DatabaseSync, sql: string): unknown[] {
  const statement = db.prepare(sql);
  statement.setReadBigInts(true);
  statement.setReturnArrays(true);
  return statement.all();
}

describe('sqliteDump', () => {
  it('keeps every double bit for bit', async () => {
    const doubles = new Float64Array(randomBytes(8 * 2000).buffer).filter((value) => Number.isFinite(value));
    const values = [...doubles, 0.1, 1 / 3, 5e-324, 1.7976931348623157e308, 2 ** 53 + 2, 1e21, 1, -1, 123456789012345680000];
    const original = new DatabaseSync(':memory:');
    original.exec('CREATE TABLE r (id INTEGER PRIMARY KEY, v REAL, w)');
    const insert = original.prepare('INSERT INTO r VALUES (?, ?, ?)');
    values.forEach((value, index) => insert.run(index, value, value));
    const text = await dumpText(original);
    const restored = new DatabaseSync(':memory:');
    await applySqliteDump(restored, Readable.from([text]));
    const read = (db: DatabaseSync): unknown[] => db.prepare('SELECT v, w, typeof(w) AS t FROM r ORDER BY id').all().map((row) => [row.v, row.w, row.t]);
    expect(read(restored)).toEqual(read(original));
    expect(read(restored).every((row) => (row as unknown[])[2] === 'real')).toBe(true);
  });

  it('keeps 64-bit integers, text with NUL or invalid UTF-8, blobs and storage classes', async () => {
    const { original, restored, text } = await roundTrip(`
      CREATE TABLE t (a, b TEXT, c BLOB);
      INSERT INTO t VALUES (9223372036854775807, CAST(X'610062' AS TEXT), X'00ff');
      INSERT INTO t VALUES (-9223372036854775808, CAST(X'fffe41' AS TEXT), X'');
      INSERT INTO t VALUES ('12', '''quoted''; -- not a comment', NULL);
      INSERT INTO t VALUES (1.0, 'ü😀', zeroblob(3));
    `);
    const sql = 'SELECT typeof(a), a, typeof(b), hex(b), typeof(c), hex(c) FROM t ORDER BY rowid';
    expect(exactRows(restored, sql)).toEqual(exactRows(original, sql));
    expect(exactRows(restored, sql)[0]).toEqual(['integer', 9223372036854775807n, 'text', '610062', 'blob', '00FF']);
    expect(text).toContain("CAST(X'610062' AS TEXT)");
    expect(text.trimEnd().endsWith(SQLITE_DUMP_COMPLETE_MARKER)).toBe(true);
  });

  it('keeps rowids, skips generated columns, restores AUTOINCREMENT counters and user_version', async () => {
    const { original, restored, text } = await roundTrip(`
      CREATE TABLE plain (v TEXT, g TEXT GENERATED ALWAYS AS (upper(v)) STORED);
      INSERT INTO plain (rowid, v) VALUES (5, 'a'), (90, 'b');
      CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v);
      INSERT INTO auto (v) VALUES (1), (2), (3);
      DELETE FROM auto WHERE id = 3;
      PRAGMA user_version = 7;
    `);
    expect(restored.prepare('SELECT rowid, v, g FROM plain ORDER BY rowid').all()).toEqual(original.prepare('SELECT rowid, v, g FROM plain ORDER BY rowid').all());
    expect(restored.prepare('SELECT seq FROM sqlite_sequence').get()?.seq).toBe(3);
    expect(restored.prepare('PRAGMA user_version').get()?.user_version).toBe(7);
    expect(text).not.toMatch(/INSERT INTO "plain"\([^)]*"g"/);
  });

  it('creates triggers after the rows, so they do not fire during the restore', async () => {
    const { restored } = await roundTrip(`
      CREATE TABLE t (v);
      CREATE TABLE log (v);
      CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.v); END;
      INSERT INTO t VALUES (1), (2);
    `);
    expect(restored.prepare('SELECT count(*) AS n FROM log').get()?.n).toBe(2);
  });
});

describe('applySqliteDump', () => {
  it('refuses a dump without its completion marker', async () => {
    const db = new DatabaseSync(':memory:');
    const error = await rejection(applySqliteDump(db, Readable.from(['CREATE TABLE t (a);\n'])));
    expect(error.code).toBe('integrity');
  });

  it('names the statement SQLite rejected', async () => {
    const db = new DatabaseSync(':memory:');
    const error = await rejection(applySqliteDump(db, Readable.from([`SELEC 1;\n${SQLITE_DUMP_COMPLETE_MARKER}\n`])));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('SELEC 1;');
  });

  it('stops when the signal fires', async () => {
    const db = new DatabaseSync(':memory:');
    const controller = new AbortController();
    const input = new Readable({ read() {} });
    input.push('CREATE TABLE t (a);\n');
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(applySqliteDump(db, input, controller.signal));
    expect(error.code).toBe('cancelled');
  });
});

describe('sqlLiteral', () => {
  it('keeps reals recognisable as reals', () => {
    expect(sqlLiteral('real', 1)).toBe('1.0');
    expect(sqlLiteral('real', 1e21)).toBe('1e+21');
    expect(sqlLiteral('real', Infinity)).toBe('9e999');
    expect(sqlLiteral('real', -Infinity)).toBe('-9e999');
  });
});
