import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { uniqueDatabaseName, type DatabaseSnapshot, type RoundTripHarness, type TestDatabase } from '../source.roundtrip.ts';
import { createSqliteSource } from './sqlite.source.ts';

// Storage-class fidelity (an untyped column holding every class, STRICT ANY), 64-bit integer
// extremes, reals incl. infinities and subnormals, text with NUL bytes and invalid UTF-8, unicode,
// multi-MiB blob and text, rowid gaps in a table without INTEGER PRIMARY KEY, WITHOUT ROWID,
// generated columns, AUTOINCREMENT behind deleted rows, identifiers with quotes and semicolons,
// expression and partial indexes, a view, triggers whose bodies hold `;` and CASE … END, FTS5,
// foreign keys, CHECK constraints, user_version and application_id.
const FIXTURE = `
CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL CHECK (length(name) > 0),
  email TEXT UNIQUE,
  score REAL,
  created_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  amount NUMERIC,
  note TEXT,
  data BLOB,
  cents INTEGER GENERATED ALWAYS AS (CAST(amount * 100 AS INTEGER)) VIRTUAL
);
CREATE TABLE "weird ""name"";" ("semi;colon" TEXT, "end" INTEGER, val);
CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE strict_values (id INTEGER PRIMARY KEY, a ANY, b TEXT) STRICT;
CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER, action TEXT);
CREATE INDEX orders_customer ON orders (customer_id, amount DESC);
CREATE UNIQUE INDEX customers_lower_name ON customers (lower(name)) WHERE email IS NOT NULL;
CREATE VIEW customer_totals AS
  SELECT c.id, c.name, total(o.amount) AS total FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id;
CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN
  INSERT INTO audit (order_id, action) VALUES (new.id, 'insert; ' || CASE WHEN new.amount > 100 THEN 'big' ELSE 'small' END);
END;
CREATE TRIGGER "weird end" AFTER UPDATE ON "weird ""name"";" BEGIN
  UPDATE "weird ""name"";" SET "end" = 1 WHERE "end" IS NULL;
  SELECT CASE WHEN 1 THEN 'x' END;
END;
CREATE VIRTUAL TABLE docs USING fts5(title, body);

INSERT INTO customers (name, email, score, created_at) VALUES
  ('Zoë 😀 👩‍👩‍👧', 'zoe@example.com', 0.1, '2024-01-15 12:00:00'),
  ('北京市 東京 서울', NULL, 1.0 / 3, '1999-12-31 23:59:59'),
  ('e\u0301 cafe\u0301 שלום', 'combining@example.com', -0.0, '2038-01-19 03:14:08'),
  ('tab	here
newline '' quote', 'odd@example.com', 5e-324, '2000-01-01'),
  ('to be deleted', 'gone@example.com', NULL, '2000-01-01');
DELETE FROM customers WHERE email = 'gone@example.com';

INSERT INTO orders (customer_id, amount, note, data) VALUES
  (1, 12345.6789, 'first; order', X'00000001ff7f80fe00'),
  (1, 0.000001, NULL, X''),
  (2, 250, CAST(X'610062' AS TEXT), NULL),
  (3, 99.5, CAST(X'fffe41c328' AS TEXT), randomblob(3 * 1024 * 1024)),
  (4, 1, replace(hex(zeroblob(300000)), '00', 'é😀 ✓'), NULL);

INSERT INTO "weird ""name"";" VALUES ('a;b', NULL, 9223372036854775807), ('c', 2, -9223372036854775808), ('d', 3, 1e308),
  ('e', 4, 'text'), ('f', 5, X'00'), ('g', 6, NULL), ('h', 7, 9e999), ('i', 8, -9e999), ('j', 9, 2.5);
DELETE FROM "weird ""name"";" WHERE "semi;colon" IN ('c', 'g');
INSERT INTO "weird ""name"";" (rowid, "semi;colon", val) VALUES (1000, 'far', 1);
INSERT INTO kv VALUES ('b', 2), ('a', 'one'), ('c', X'0102'), ('d', NULL), ('e', 3.5);
INSERT INTO strict_values VALUES (1, 1, 'x'), (2, 1.5, 'y'), (3, 'z', NULL), (4, X'ff', '');
INSERT INTO docs (rowid, title, body) VALUES (10, 'hello', 'the quick brown fox'), (20, 'unicode', 'naïve café 😀');
INSERT INTO audit (order_id, action) VALUES (999, 'manual');
DELETE FROM audit WHERE order_id = 999;
PRAGMA user_version = 42;
PRAGMA application_id = 1145258561;
`;

/** SQLite databases are files in a temp directory; a source per file. */
export function sqliteHarness(): RoundTripHarness {
  let dir: string | undefined;
  const pathOf = (name: string): string => {
    dir ??= mkdtempSync(join(tmpdir(), 'dbk-sqlite-it-'));
    mkdirSync(dir, { recursive: true });
    return join(dir, `${name}.db`);
  };
  const at = (name: string): TestDatabase => ({ source: createSqliteSource({ path: pathOf(name) }), name: `${name}.db` });
  const open = (database: TestDatabase): DatabaseSync => new DatabaseSync(pathOf(database.name.replace(/\.db$/, '')));

  return {
    engines: ['sqlite'],
    unavailable: async () => undefined,

    async createDatabase() {
      const database = at(uniqueDatabaseName());
      const db = open(database);
      db.exec('PRAGMA journal_mode = WAL');
      db.close();
      return database;
    },

    newDatabase: () => at(uniqueDatabaseName()),

    exists: async (database) => existsSync(pathOf(database.name.replace(/\.db$/, ''))),

    async drop(database) {
      const path = pathOf(database.name.replace(/\.db$/, ''));
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
      try {
        if (dir) rmdirSync(dir); // once the last database is gone
      } catch {
        // still holds other databases
      }
    },

    async fill(database) {
      const db = open(database);
      try {
        db.exec(FIXTURE);
      } finally {
        db.close();
      }
    },

    async snapshot(database) {
      const db = open(database);
      try {
        return snapshot(db);
      } finally {
        db.close();
      }
    },

    async exercise(database) {
      const db = open(database);
      try {
        const auditCount = (): number => Number(db.prepare('SELECT count(*) AS n FROM audit').get()?.n);
        const before = auditCount();
        const order = db.prepare("INSERT INTO orders (customer_id, amount) VALUES (2, 500) RETURNING id").get()?.id;
        if (auditCount() !== before + 1) throw new Error('the audit trigger did not fire');
        const customer = db.prepare("INSERT INTO customers (name) VALUES ('new') RETURNING id").get()?.id;
        db.exec(`UPDATE "weird ""name"";" SET val = val WHERE "semi;colon" = 'a;b'`);
        return {
          order,
          customer,
          lastAudit: db.prepare('SELECT action FROM audit ORDER BY id DESC LIMIT 1').get()?.action,
          view: db.prepare('SELECT total FROM customer_totals WHERE id = 2').get()?.total,
          weirdEnd: db.prepare(`SELECT "end" FROM "weird ""name"";" WHERE "semi;colon" = 'a;b'`).get()?.end,
          search: db.prepare("SELECT rowid FROM docs WHERE docs MATCH 'café'").all().map((row) => row.rowid),
          generated: db.prepare('SELECT cents FROM orders WHERE id = 1').get()?.cents,
        };
      } finally {
        db.close();
      }
    },
  };
}

function snapshot(db: DatabaseSync): DatabaseSnapshot {
  const schema = {
    objects: db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all(),
    userVersion: db.prepare('PRAGMA user_version').get()?.user_version,
    applicationId: db.prepare('PRAGMA application_id').get()?.application_id,
  };
  const rows: DatabaseSnapshot['rows'] = {};
  const tables = db.prepare("SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%'").all();
  for (const table of tables) {
    const name = String(table.name);
    const columns = db.prepare('SELECT name FROM pragma_table_xinfo(?) WHERE hidden <> 1').all(name).map((column) => String(column.name));
    const quote = (id: string): string => `"${id.replaceAll('"', '""')}"`;
    // typeof + an exact rendering: 17 significant digits for reals, hex bytes for text and blobs.
    const exact = (expression: string): string =>
      `typeof(${expression}) || ':' || CASE typeof(${expression}) WHEN 'real' THEN printf('%!.17g', ${expression}) ` +
      `WHEN 'integer' THEN CAST(${expression} AS TEXT) WHEN 'null' THEN '' ELSE hex(${expression}) END`;
    const parts = [...(Number(table.wr) === 1 ? [] : [exact('rowid')]), ...columns.map((column) => exact(quote(column)))];
    const rendered = db.prepare(`SELECT ${parts.join(" || '|' || ")} AS row FROM ${quote(name)}`).all().map((row) => String(row.row));
    rendered.sort();
    const hash = createHash('sha256');
    for (const row of rendered) hash.update(`${row}\n`);
    rows[name] = { count: rendered.length, hash: hash.digest('hex') };
  }
  const sequences: DatabaseSnapshot['sequences'] = {};
  for (const row of db.prepare('SELECT name, seq FROM sqlite_sequence').all()) sequences[String(row.name)] = String(row.seq);
  return { schema, rows, sequences };
}
