import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { rejection, roundTripSuite } from '../source.roundtrip.ts';
import { sqliteHarness } from './sqlite.fixture.ts';
import { createSqliteSource } from './sqlite.source.ts';

roundTripSuite('SQLite source round trip', sqliteHarness(), undefined);

describe('SQLite source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dbk-sqlite-src-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dumps a consistent snapshot while another connection keeps writing', async () => {
    const path = join(dir, 'busy.db');
    const setup = new DatabaseSync(path);
    setup.exec(`
      PRAGMA journal_mode = WAL;
      CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
      CREATE TABLE ledger (id INTEGER PRIMARY KEY AUTOINCREMENT, amount INTEGER NOT NULL);
      CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
      CREATE TABLE bulk (data BLOB);
      INSERT INTO accounts VALUES (1, 1000000), (2, 0);
      INSERT INTO counter VALUES (1, 0);
      WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 400) INSERT INTO bulk SELECT randomblob(64 * 1024) FROM i;
    `);
    setup.close();

    // The writer: a second connection in this process, one transaction per turn of the event
    // loop, each moving money between the accounts, logging it and counting it.
    const writer = new DatabaseSync(path, { timeout: 5000 });
    let commits = 0;
    let writing = true;
    const move = writer.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?');
    const log = writer.prepare('INSERT INTO ledger (amount) VALUES (?)');
    const count = writer.prepare('UPDATE counter SET n = n + 1');
    const writerDone = (async () => {
      while (writing) {
        const amount = (commits % 7) + 1;
        writer.exec('BEGIN IMMEDIATE');
        move.run(-amount, 1);
        move.run(amount, 2);
        log.run(amount);
        count.run();
        writer.exec('COMMIT');
        commits += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    try {
      while (commits < 50) await new Promise((resolve) => setImmediate(resolve));
      const commitsBefore = commits;
      const source = createSqliteSource({ path });
      const dump = await source.dump('busy.db');
      const commitsAtSnapshot = commits;
      await pipeline(dump.stream, createWriteStream(join(dir, 'busy.sql')));
      await dump.done;
      const commitsAfter = commits;
      writing = false;
      await writerDone;

      const restoredPath = join(dir, 'busy-restored.db');
      await createSqliteSource({ path: restoredPath }).restore('busy-restored.db', createReadStream(join(dir, 'busy.sql')), { createDatabase: true });
      const restored = new DatabaseSync(restoredPath, { readOnly: true });
      const balances = restored.prepare('SELECT id, balance FROM accounts ORDER BY id').all().map((row) => Number(row.balance));
      const n = Number(restored.prepare('SELECT n FROM counter').get()?.n);
      const ledger = restored.prepare('SELECT count(*) AS rows, total(amount) AS sum FROM ledger').get();
      const sequence = Number(restored.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'ledger'").get()?.seq);
      restored.close();

      // Writes went on while the snapshot was copied and while the SQL was generated, yet the dump
      // holds one moment: every invariant between the tables holds.
      expect(n).toBeGreaterThanOrEqual(commitsBefore);
      expect(commitsAtSnapshot).toBeGreaterThan(n);
      expect(commitsAfter).toBeGreaterThan(commitsAtSnapshot);
      expect((balances[0] ?? 0) + (balances[1] ?? 0)).toBe(1000000);
      expect(Number(ledger?.rows)).toBe(n);
      expect(Number(ledger?.sum)).toBe(balances[1]);
      expect(sequence).toBe(n);
    } finally {
      writing = false;
      await writerDone;
      writer.close();
    }
  });

  it('reports a missing file as not_found, naming it', async () => {
    const source = createSqliteSource({ path: join(dir, 'missing.db') });
    const error = await rejection(source.testConnection());
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(join(dir, 'missing.db'));
    expect((await rejection(source.dump('missing.db'))).code).toBe('not_found');
  });

  it('refuses a file that is not a SQLite database', async () => {
    const path = join(dir, 'text.db');
    writeFileSync(path, 'this is not a database, just some text that is long enough to fill a header page'.repeat(20));
    const error = await rejection(createSqliteSource({ path }).testConnection());
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(`${path} is not a SQLite database.`);
  });

  it('offers one database named after the file, and refuses other names', async () => {
    const path = join(dir, 'app.db');
    new DatabaseSync(path).close();
    const source = createSqliteSource({ path });
    expect(await source.listDatabases()).toEqual(['app.db']);
    expect((await rejection(source.dump('other'))).code).toBe('not_found');
  });

  it('rolls the whole restore back when a statement fails, keeping what was there', async () => {
    const path = join(dir, 'keep.db');
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE kept (a); INSERT INTO kept VALUES ('old')");
    db.close();
    const sql = "CREATE TABLE fresh (a);\nINSERT INTO fresh VALUES ('new');\nINSERT INTO no_such_table VALUES (1);\n-- DBackup SQLite dump complete\n";
    const error = await rejection(createSqliteSource({ path }).restore('keep.db', Readable.from([sql]), { dropExisting: true }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('no such table: no_such_table');
    const after = new DatabaseSync(path, { readOnly: true });
    expect(after.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map((row) => row.name)).toEqual(['kept']);
    expect(after.prepare('SELECT a FROM kept').get()?.a).toBe('old');
    after.close();
  });

  it('removes a file it created when the restore fails', async () => {
    const path = join(dir, 'created.db');
    const error = await rejection(createSqliteSource({ path }).restore('created.db', Readable.from(['CREATE TABLE t (a);\n']), { createDatabase: true }));
    expect(error.code).toBe('integrity');
    expect(existsSync(path)).toBe(false);
  });
});
