import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2';
import type { MysqlSourceConfig } from '../../../ports/source.port.ts';
import { uniqueDatabaseName, type DatabaseSnapshot, type RoundTripHarness, type TestDatabase } from '../source.roundtrip.ts';
import { quoteMysqlIdentifier as q } from './mysql-connection.ts';
import { createMysqlSource } from './mysql.source.ts';

/** The local test server: MariaDB on 127.0.0.1:3306, root with an empty password. */
export const TEST_MYSQL: MysqlSourceConfig = {
  host: process.env.DBK_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.DBK_TEST_MYSQL_PORT ?? 3306),
  user: process.env.DBK_TEST_MYSQL_USER ?? 'root',
  password: process.env.DBK_TEST_MYSQL_PASSWORD ?? '',
  engine: 'mariadb',
  connectTimeoutSeconds: 5,
};

export async function withTestConnection<T>(database: string | undefined, work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({
    host: TEST_MYSQL.host,
    port: TEST_MYSQL.port,
    user: TEST_MYSQL.user,
    password: TEST_MYSQL.password,
    database,
    charset: 'utf8mb4_general_ci',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

// Unicode in utf8mb4 and in a latin1 table, binary with zero bytes, multi-MiB values, NULLs, exact
// decimals and 64-bit extremes, temporal edge values, ENUM/SET/BIT/JSON, AUTO_INCREMENT behind
// deleted rows, a view, a function, a procedure, triggers (one with a compound body), a
// foreign key, CHECK and UNIQUE constraints, indexes and a (disabled) event.
const SCHEMA = [
  `CREATE TABLE customers (
    id INT AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    email VARCHAR(200) UNIQUE,
    mood ENUM('sad', 'ok', 'happy'),
    flags SET('a', 'b', 'c'),
    created_at DATETIME(6) NOT NULL,
    touched_at TIMESTAMP NULL DEFAULT NULL,
    KEY name_idx (name)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Customers; with ''quotes'''`,
  `CREATE TABLE orders (
    id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
    customer_id INT NOT NULL,
    amount DECIMAL(30, 10) NOT NULL,
    ratio DOUBLE,
    ratio_f FLOAT,
    ordered_on DATE,
    ordered_time TIME(3),
    yr YEAR,
    flag TINYINT(1),
    bits BIT(10),
    big BIGINT,
    ubig BIGINT UNSIGNED,
    doc JSON,
    note TEXT,
    CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
    CONSTRAINT amount_not_negative CHECK (amount >= 0),
    KEY customer_date (customer_id, ordered_on)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE blobs (id INT AUTO_INCREMENT PRIMARY KEY, label VARCHAR(50), data LONGBLOB, fixed BINARY(4), var VARBINARY(16)) ENGINE=InnoDB`,
  `CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT UNSIGNED, action VARCHAR(200)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE settings (k VARCHAR(100) PRIMARY KEY, v LONGTEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE legacy (id INT PRIMARY KEY, s VARCHAR(50)) ENGINE=InnoDB DEFAULT CHARSET=latin1`,
  `CREATE VIEW customer_totals AS
    SELECT c.id, c.name, COALESCE(SUM(o.amount), 0) AS total FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name`,
  `CREATE FUNCTION order_total(cid INT) RETURNS DECIMAL(30, 10) READS SQL DATA
    RETURN (SELECT COALESCE(SUM(amount), 0) FROM orders WHERE customer_id = cid)`,
  `CREATE PROCEDURE rename_customer(IN cid INT, IN new_name VARCHAR(200))
    BEGIN
      UPDATE customers SET name = new_name WHERE id = cid;
      UPDATE customers SET touched_at = '2030-01-01 00:00:00' WHERE id = cid;
    END`,
  `CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW
    INSERT INTO audit (order_id, action) VALUES (NEW.id, CONCAT('insert; amount=', NEW.amount))`,
  `CREATE TRIGGER orders_clamp BEFORE UPDATE ON orders FOR EACH ROW
    BEGIN
      IF NEW.amount < 0 THEN SET NEW.amount = 0; END IF;
    END`,
  `CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM audit WHERE id < 0`,
];

const DATA = [
  `INSERT INTO customers (name, email, mood, flags, created_at) VALUES
    ('Zoë 😀 👩‍👩‍👧', 'zoe@example.com', 'happy', 'a,c', '2024-01-15 12:00:00.123456'),
    ('北京市 東京 서울', NULL, 'ok', '', '1000-01-01 00:00:00'),
    ('e\u0301 cafe\u0301 שלום', 'combining@example.com', NULL, NULL, '9999-12-31 23:59:59.999999'),
    ('tab\there\nnewline \\\\ backslash '' quote', 'odd@example.com', 'sad', 'b', '2038-01-19 03:14:08'),
    ('to be deleted', 'gone@example.com', NULL, NULL, '2000-01-01 00:00:00')`,
  `DELETE FROM customers WHERE email = 'gone@example.com'`,
  `INSERT INTO orders (customer_id, amount, ratio, ratio_f, ordered_on, ordered_time, yr, flag, bits, big, ubig, doc, note) VALUES
    (1, 12345678901234567890.0123456789, 1.0 / 3, 3.14159, '2024-02-29', '838:59:59.000', 2155, 1, b'1010101010',
     -9223372036854775808, 18446744073709551615, '{"nested": {"k": [1, 2.5, null, "ü😀"]}}', 'first; order'),
    (1, 0.0000000001, 1e-300, 1e-30, '1000-01-01', '-838:59:59.000', 1901, 0, b'0', 9223372036854775807, 0, '[]', NULL),
    (2, 0, -0.5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ''),
    (3, 99.5, 2.5e300, -1.5, '9999-12-31', '00:00:00.001', 2000, NULL, b'1111111111', 0, 1, 'null', 'line1\nline2\r\nline3'),
    (4, 1, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'deleted later')`,
  `DELETE FROM orders WHERE note = 'deleted later'`,
  `INSERT INTO blobs (label, data, fixed, var) VALUES
    ('zeros and edges', UNHEX('00000001FF7F80FE00'), UNHEX('00FF0000'), UNHEX('00')),
    ('empty', '', UNHEX('00000000'), ''),
    ('null', NULL, NULL, NULL),
    ('large', UNHEX(REPEAT(CONCAT(MD5('a'), '00', MD5('b')), 90000)), UNHEX('DEADBEEF'), UNHEX('0102')),
    ('large text as bytes', CONVERT(REPEAT('Ünïcødé ✓ 😀 ', 150000) USING utf8mb4), NULL, NULL)`,
  `INSERT INTO settings VALUES ('greeting', 'héllo wörld'), ('big', REPEAT('abc€😀', 300000)), ('nothing', NULL)`,
  `INSERT INTO legacy VALUES (1, 'Café Ünïcode in latin1'), (2, NULL)`,
  `INSERT INTO audit (order_id, action) VALUES (999, 'manual')`,
  `DELETE FROM audit WHERE order_id = 999`,
];

const MARIADB_ONLY = [`CREATE SEQUENCE invoice_numbers START WITH 1000 INCREMENT BY 7 NOCACHE`, `SELECT NEXTVAL(invoice_numbers)`, `SELECT NEXTVAL(invoice_numbers)`];

async function isMariadb(connection: mysql.Connection): Promise<boolean> {
  const [rows] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS v');
  return /mariadb/i.test(String(rows[0]?.v));
}

export function mysqlHarness(): RoundTripHarness {
  const at = (name: string): TestDatabase => ({ source: createMysqlSource(TEST_MYSQL), name });
  return {
    engines: ['mysql', 'mariadb'],

    async unavailable() {
      try {
        await withTestConnection(undefined, (connection) => connection.query('SELECT 1'));
        return undefined;
      } catch (error) {
        return `MySQL/MariaDB at ${TEST_MYSQL.host}:${TEST_MYSQL.port} is not reachable (${String(error)})`;
      }
    },

    async createDatabase() {
      const name = uniqueDatabaseName();
      await withTestConnection(undefined, (connection) => connection.query(`CREATE DATABASE ${q(name)} CHARACTER SET utf8mb4`));
      return at(name);
    },

    newDatabase: () => at(uniqueDatabaseName()),

    exists: (database) =>
      withTestConnection(undefined, async (connection) => {
        const [rows] = await connection.query<RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database.name]);
        return rows.length === 1;
      }),

    drop: (database) => withTestConnection(undefined, async (connection) => void (await connection.query(`DROP DATABASE IF EXISTS ${q(database.name)}`))),

    fill: (database) =>
      withTestConnection(database.name, async (connection) => {
        const statements = [...SCHEMA, ...DATA, ...((await isMariadb(connection)) ? MARIADB_ONLY : [])];
        for (const statement of statements) await connection.query(statement);
      }),

    snapshot: (database) => withTestConnection(database.name, (connection) => snapshot(connection, database.name)),

    exercise: (database) =>
      withTestConnection(database.name, async (connection) => {
        const count = async (): Promise<number> => Number((await scalar(connection, 'SELECT COUNT(*) FROM audit')) ?? 0);
        const auditBefore = await count();
        const [inserted] = await connection.query<mysql.ResultSetHeader>('INSERT INTO orders (customer_id, amount) VALUES (2, 10.5)');
        if ((await count()) !== auditBefore + 1) throw new Error('the audit trigger did not fire');
        const [second] = await connection.query<mysql.ResultSetHeader>('INSERT INTO orders (customer_id, amount) VALUES (3, 7)');
        await connection.query('UPDATE orders SET amount = -5 WHERE id = ?', [second.insertId]);
        const [customer] = await connection.query<mysql.ResultSetHeader>("INSERT INTO customers (name, created_at) VALUES ('new', '2024-01-01')");
        await connection.query("CALL rename_customer(2, 'renamed ✓')");
        return {
          order: String(inserted.insertId),
          customer: customer.insertId,
          clamped: await scalar(connection, `SELECT amount FROM orders WHERE id = ${Number(second.insertId)}`),
          lastAudit: await scalar(connection, 'SELECT action FROM audit ORDER BY id DESC LIMIT 1'),
          total: await scalar(connection, 'SELECT order_total(2)'),
          view: await scalar(connection, "SELECT total FROM customer_totals WHERE name = 'renamed ✓'"),
          touched: await scalar(connection, 'SELECT touched_at FROM customers WHERE id = 2'),
          invoice: (await isMariadb(connection)) ? await scalar(connection, 'SELECT NEXTVAL(invoice_numbers)') : null,
        };
      }),
  };
}

async function scalar(connection: mysql.Connection, sql: string): Promise<unknown> {
  const [rows] = await connection.query<RowDataPacket[][]>({ sql, rowsAsArray: true });
  return rows[0]?.[0];
}

async function objectRows(connection: mysql.Connection, sql: string, params: unknown[] = []): Promise<unknown[]> {
  const [rows] = await connection.query<RowDataPacket[]>(sql, params);
  return rows.map((row) => ({ ...row }));
}

async function snapshot(connection: mysql.Connection, database: string): Promise<DatabaseSnapshot> {
  const tables = await objectRows(connection, 'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database]);
  const schema: Record<string, unknown> = {
    tables: await objectRows(connection, `SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT
      FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, [database]),
    columns: await objectRows(connection, `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE,
      CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_KEY, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION
      FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`, [database]),
    indexes: await objectRows(connection, `SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, INDEX_TYPE, SUB_PART
      FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, [database]),
    foreignKeys: await objectRows(connection, `SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE
      FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY CONSTRAINT_NAME`, [database]),
    checks: await objectRows(connection, `SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS
      WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME`, [database]),
    routines: await objectRows(connection, `SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS,
      SECURITY_TYPE, SQL_MODE, ROUTINE_COMMENT, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION
      FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_NAME`, [database]),
    parameters: await objectRows(connection, `SELECT SPECIFIC_NAME, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER
      FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? ORDER BY SPECIFIC_NAME, ORDINAL_POSITION`, [database]),
    triggers: await objectRows(connection, `SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT, ACTION_TIMING,
      SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME`, [database]),
    events: await objectRows(connection, `SELECT EVENT_NAME, DEFINER, EVENT_DEFINITION, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, STATUS, SQL_MODE
      FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME`, [database]),
    createStatements: {} as Record<string, string>,
  };

  const rows: DatabaseSnapshot['rows'] = {};
  const sequences: DatabaseSnapshot['sequences'] = {};
  const creates = schema.createStatements as Record<string, string>;
  for (const table of tables as { name: string; type: string }[]) {
    const [created] = await connection.query<RowDataPacket[]>(`SHOW CREATE TABLE ${q(table.name)}`);
    const ddl = String(created[0]?.['Create Table'] ?? created[0]?.['Create View'] ?? '');
    creates[table.name] = ddl;
    if (table.type === 'SEQUENCE') {
      sequences[table.name] = JSON.stringify(await objectRows(connection, `SELECT * FROM ${q(table.name)}`));
      continue;
    }
    const autoIncrement = /AUTO_INCREMENT=(\d+)/.exec(ddl)?.[1];
    if (autoIncrement) sequences[`${table.name}.AUTO_INCREMENT`] = autoIncrement;
    if (table.type === 'BASE TABLE') rows[table.name] = await hashTable(connection, table.name);
  }
  // Views and routines mention their schema by name; the restored copy lives under another one.
  return JSON.parse(JSON.stringify({ schema, rows, sequences }).replaceAll(database, '<db>')) as DatabaseSnapshot;
}

async function hashTable(connection: mysql.Connection, table: string): Promise<{ count: number; hash: string }> {
  const [rows] = await connection.query<RowDataPacket[][]>({ sql: `SELECT * FROM ${q(table)} ORDER BY 1`, rowsAsArray: true });
  const hash = createHash('sha256');
  for (const row of rows) {
    hash.update(JSON.stringify(row.map((value) => (Buffer.isBuffer(value) ? `hex:${value.toString('hex')}` : value))));
    hash.update('\n');
  }
  return { count: rows.length, hash: hash.digest('hex') };
}
