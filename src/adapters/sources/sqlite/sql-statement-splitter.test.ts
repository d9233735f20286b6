import { describe, expect, it } from 'vitest';
import { SqlStatementSplitter } from './sql-statement-splitter.ts';

function split(chunks: string[]): { statements: string[]; rest: string } {
  const splitter = new SqlStatementSplitter();
  const statements = chunks.flatMap((chunk) => splitter.push(chunk));
  const end = splitter.end();
  return { statements: [...statements, ...end.statements], rest: end.rest };
}

const SCRIPT = `-- header; with a semicolon
CREATE TABLE "semi;colon" ("a;b" TEXT, [c;d] INT, \`e;f\` BLOB);
INSERT INTO "semi;colon" VALUES('it''s; here -- not a comment /* nor this */', 1, X'00ff3b');
/* block; comment */ INSERT INTO t VALUES('line1
line2;');
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE t SET "end" = CASE WHEN new.x > 0 THEN 1 ELSE 2 END;
  UPDATE t SET end = 1;
  INSERT INTO log VALUES('END;');
END;
CREATE TEMP TRIGGER tt BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no; way'); end ;
CREATE VIEW v AS SELECT CASE WHEN 1 THEN 'a' END AS x;
;;
PRAGMA user_version=7;
-- DBackup SQLite dump complete
`;

const EXPECTED = [
  'CREATE TABLE "semi;colon" ("a;b" TEXT, [c;d] INT, `e;f` BLOB);',
  `INSERT INTO "semi;colon" VALUES('it''s; here -- not a comment /* nor this */', 1, X'00ff3b');`,
  "/* block; comment */ INSERT INTO t VALUES('line1\nline2;');",
  `CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  UPDATE t SET "end" = CASE WHEN new.x > 0 THEN 1 ELSE 2 END;
  UPDATE t SET end = 1;
  INSERT INTO log VALUES('END;');
END;`,
  "CREATE TEMP TRIGGER tt BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no; way'); end ;",
  "CREATE VIEW v AS SELECT CASE WHEN 1 THEN 'a' END AS x;",
  'PRAGMA user_version=7;',
];

describe('SqlStatementSplitter', () => {
  it('splits on semicolons outside literals, identifiers, comments and trigger bodies', () => {
    const { statements, rest } = split([SCRIPT]);
    // The leading comment stays attached to the first statement; compare without it.
    expect(statements.map((statement) => statement.replace(/^-- header; with a semicolon\n/, ''))).toEqual(EXPECTED);
    expect(rest).toBe('');
  });

  it('gives the same statements whatever the chunk boundaries', () => {
    const whole = split([SCRIPT]).statements;
    for (let cut = 1; cut < SCRIPT.length; cut += 1) {
      expect(split([SCRIPT.slice(0, cut), SCRIPT.slice(cut)]).statements).toEqual(whole);
    }
    for (let size = 1; size <= 7; size += 1) {
      const chunks: string[] = [];
      for (let offset = 0; offset < SCRIPT.length; offset += size) chunks.push(SCRIPT.slice(offset, offset + size));
      expect(split(chunks).statements).toEqual(whole);
    }
  });

  it('reports a statement cut short', () => {
    expect(split(["INSERT INTO t VALUES('unterminated;"]).rest).toBe("INSERT INTO t VALUES('unterminated;");
    expect(split(['CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;']).rest).toBe('CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1;');
    expect(split(['SELECT 1;\nSELECT 2']).rest).toBe('SELECT 2');
    expect(split(['SELECT 1;\n-- just a comment\n/* and another */']).rest).toBe('');
  });

  it('handles a multi-MiB literal in many chunks', () => {
    const big = 'x;'.repeat(2 * 1024 * 1024);
    const sql = `INSERT INTO t VALUES('${big}');SELECT 1;`;
    const chunks: string[] = [];
    for (let offset = 0; offset < sql.length; offset += 65536) chunks.push(sql.slice(offset, offset + 65536));
    const { statements } = split(chunks);
    expect(statements).toHaveLength(2);
    expect(statements[0]?.length).toBe(big.length + `INSERT INTO t VALUES('');`.length);
  });
});
