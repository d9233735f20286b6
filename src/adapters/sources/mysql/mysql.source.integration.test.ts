import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection, roundTripSuite, uniqueDatabaseName } from '../source.roundtrip.ts';
import { quoteMysqlIdentifier as q } from './mysql-connection.ts';
import { mysqlHarness, TEST_MYSQL, withTestConnection } from './mysql.fixture.ts';
import { createMysqlSource } from './mysql.source.ts';
import { freePort } from '../../../../test/support/free-port.ts';

const harness = mysqlHarness();
const unavailable = await harness.unavailable();

roundTripSuite('MySQL/MariaDB source round trip', harness, unavailable);

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')('MySQL/MariaDB source errors and login', () => {
  // A password that breaks naive option-file quoting or shell use.
  const user = `dbk_it_u_${randomBytes(4).toString('hex')}`;
  const password = `p"a#s;s\\w o'rd $(x) \`y\` é`;
  const database = uniqueDatabaseName();

  beforeAll(async () => {
    await withTestConnection(undefined, async (connection) => {
      await connection.query(`CREATE DATABASE ${q(database)}`);
      await connection.query(`CREATE TABLE ${q(database)}.t (id INT PRIMARY KEY, v VARCHAR(20))`);
      await connection.query(`INSERT INTO ${q(database)}.t VALUES (1, 'one')`);
      await connection.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      await connection.query(`GRANT ALL PRIVILEGES ON ${q(database)}.* TO ?@?`, [user, '%']);
    });
  });

  afterAll(async () => {
    await withTestConnection(undefined, async (connection) => {
      await connection.query(`DROP DATABASE IF EXISTS ${q(database)}`);
      await connection.query('DROP USER IF EXISTS ?@?', [user, '%']);
    });
  });

  it('dumps with a password full of quoting hazards, passed through the option file', async () => {
    const source = createMysqlSource({ ...TEST_MYSQL, user, password });
    const dump = await source.dump(database);
    const chunks: Buffer[] = [];
    for await (const chunk of dump.stream) chunks.push(chunk as Buffer);
    await dump.done;
    const text = Buffer.concat(chunks).toString();
    expect(text).toContain("INSERT INTO `t` VALUES");
    expect(text).toContain('-- Dump completed');
    expect(text).not.toContain(password);
  });

  it('reports a wrong password as authorization_required', async () => {
    const source = createMysqlSource({ ...TEST_MYSQL, user, password: 'wrong' });
    const error = await rejection(source.testConnection());
    expect(error.code).toBe('authorization_required');
    expect(error.message).toContain(`refused the login of user "${user}"`);
    expect(error.message).toContain('Check the user name and password');
  });

  it('names the package to install when the dump program is missing', async () => {
    const source = createMysqlSource(TEST_MYSQL, { tools: { dump: '/nonexistent/mariadb-dump' } });
    const error = await rejection(source.dump(database));
    expect(error.code).toBe('unavailable');
    expect(error.details.reason).toBe('tool_missing');
    expect(error.message).toMatch(/^mariadb-dump was not found at \/nonexistent\/mariadb-dump\. Install the (MariaDB|MySQL) client tools \(Debian\/Ubuntu: apt-get install/);
  });

  it('names the client when restoring without it, and leaves no database behind', async () => {
    const source = createMysqlSource(TEST_MYSQL, { tools: { client: '/nonexistent/mariadb' } });
    const target = uniqueDatabaseName();
    const error = await rejection(source.restore(target, Readable.from(['SELECT 1;']), { createDatabase: true }));
    expect(error.message).toMatch(/^mariadb was not found/);
    expect(await harness.exists({ source, name: target })).toBe(false);
  });

  it('reports an unreachable server as unavailable, with what to check', async () => {
    const port = await freePort(); // nothing listens there
    const source = createMysqlSource({ ...TEST_MYSQL, host: '127.0.0.1', port });
    const error = await rejection(source.listDatabases());
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      `Could not connect to MariaDB at 127.0.0.1:${port}: connection refused. Check that the server is running, that the host and port in the source settings are right, and that it accepts TCP connections from this machine.`,
    );
  });

  it('rejects a statement error in the backup as invalid_input, dropping the database it created', async () => {
    const source = createMysqlSource(TEST_MYSQL);
    const target = uniqueDatabaseName();
    const sql = 'CREATE TABLE kept (a INT);\nSELECT * FROM no_such_table;\n-- Dump completed on 2024-01-01\n';
    const error = await rejection(source.restore(target, Readable.from([sql]), { createDatabase: true }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('no_such_table');
    expect(await harness.exists({ source, name: target })).toBe(false);
  });
});

describe.skipIf(unavailable !== undefined && process.env.CI !== 'true')('MySQL/MariaDB restore onto a server without the backup\'s definer account', () => {
  const definer = `dbk_def_${randomBytes(4).toString('hex')}`;
  const original = uniqueDatabaseName();
  const plain = uniqueDatabaseName();
  const skipped = uniqueDatabaseName();
  let dump: Buffer;

  beforeAll(async () => {
    await withTestConnection(undefined, async (connection) => {
      await connection.query('CREATE USER ?@? IDENTIFIED BY ?', [definer, '%', randomBytes(12).toString('hex')]);
      await connection.query(`CREATE DATABASE ${q(original)}`);
      await connection.query(`GRANT ALL PRIVILEGES ON ${q(original)}.* TO ?@?`, [definer, '%']);
    });
    const as = `\`${definer}\`@\`%\``;
    await withTestConnection(original, async (connection) => {
      await connection.query('CREATE TABLE t (a INT)');
      await connection.query(`CREATE DEFINER=${as} SQL SECURITY DEFINER VIEW v AS SELECT a FROM t`);
      await connection.query(`CREATE DEFINER=${as} PROCEDURE p() SQL SECURITY DEFINER SELECT COUNT(*) AS n FROM t`);
      await connection.query(`CREATE DEFINER=${as} TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = NEW.a + 100`);
    });
    const handle = await createMysqlSource(TEST_MYSQL).dump(original);
    const chunks: Buffer[] = [];
    for await (const chunk of handle.stream) chunks.push(chunk as Buffer);
    await handle.done;
    dump = Buffer.concat(chunks);
    // The disaster: the account that defined the objects does not exist where the backup goes.
    await withTestConnection(undefined, (connection) => connection.query('DROP USER ?@?', [definer, '%']));
  });

  afterAll(async () => {
    await withTestConnection(undefined, async (connection) => {
      for (const name of [original, plain, skipped]) await connection.query(`DROP DATABASE IF EXISTS ${q(name)}`);
      await connection.query('DROP USER IF EXISTS ?@?', [definer, '%']);
    });
  });

  it('restores the objects unusable without the option (the server only warns), and usable as the restoring user with it', async () => {
    expect(dump.toString()).toContain(`DEFINER=\`${definer}\``);
    const source = createMysqlSource(TEST_MYSQL);

    await source.restore(plain, Readable.from([dump]), { createDatabase: true });
    await withTestConnection(plain, async (connection) => {
      await expect(connection.query('SELECT * FROM v')).rejects.toMatchObject({ code: 'ER_NO_SUCH_USER' });
    });

    await source.restore(skipped, Readable.from([dump]), { createDatabase: true, skipOwnership: true });
    await withTestConnection(skipped, async (connection) => {
      await connection.query('INSERT INTO t VALUES (1)');
      const [rows] = await connection.query('SELECT a FROM v');
      expect(rows).toEqual([{ a: 101 }]);
      const [called] = await connection.query('CALL p()');
      expect(Number((called as unknown as Array<Array<{ n: number | string }>>)[0]?.[0]?.n)).toBe(1);
      const [definers] = await connection.query(
        `SELECT DEFINER AS d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? UNION ALL SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? UNION ALL SELECT DEFINER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`,
        [skipped, skipped, skipped],
      );
      const names = (definers as Array<{ d: string }>).map((row) => row.d);
      expect(names).toHaveLength(3);
      for (const name of names) expect(name.startsWith(`${TEST_MYSQL.user}@`)).toBe(true);
    });
  });
});
