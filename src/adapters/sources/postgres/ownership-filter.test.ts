import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { OwnershipFilter } from './ownership-filter.ts';

async function filter(text: string, pieceSize = 7): Promise<{ output: string; dropped: number }> {
  const pieces: Buffer[] = [];
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += pieceSize) pieces.push(bytes.subarray(at, at + pieceSize));
  const stream = new OwnershipFilter();
  const output = (await buffer(Readable.from(pieces).pipe(stream))).toString();
  return { output, dropped: stream.dropped };
}

const DUMP = `SET client_encoding = 'UTF8';
CREATE SCHEMA app;
ALTER SCHEMA app OWNER TO "app owner";
CREATE TABLE app.t (a text);
ALTER TABLE app.t OWNER TO alice;
CREATE FUNCTION app.f() RETURNS void
    LANGUAGE plpgsql
    AS $_$
BEGIN
GRANT SELECT ON app.t TO alice;
END;
$_$;
ALTER FUNCTION app.f() OWNER TO alice;
COMMENT ON TABLE app.t IS 'costs $5 $$ not a body';
COPY app.t (a) FROM stdin;
GRANT ALL ON app.t TO everyone;
\\N
\\.x
ALTER TABLE app.t OWNER TO data;
\\.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT SELECT ON TABLE app.t TO reporting;
ALTER DEFAULT PRIVILEGES FOR ROLE alice IN SCHEMA app GRANT SELECT ON TABLES TO reporting;
SELECT 1;
`;

describe('OwnershipFilter', () => {
  it.each([1, 7, 64, 100_000])('drops ownership and privilege statements between statements, in pieces of %i bytes', async (pieceSize) => {
    const { output, dropped } = await filter(DUMP, pieceSize);
    expect(dropped).toBe(6);
    expect(output).toBe(`SET client_encoding = 'UTF8';
CREATE SCHEMA app;
CREATE TABLE app.t (a text);
CREATE FUNCTION app.f() RETURNS void
    LANGUAGE plpgsql
    AS $_$
BEGIN
GRANT SELECT ON app.t TO alice;
END;
$_$;
COMMENT ON TABLE app.t IS 'costs $5 $$ not a body';
COPY app.t (a) FROM stdin;
GRANT ALL ON app.t TO everyone;
\\N
\\.x
ALTER TABLE app.t OWNER TO data;
\\.
SELECT 1;
`);
  });

  it('passes a line longer than it holds unchanged, and a last line without a newline', async () => {
    const long = `INSERT INTO t VALUES ('${'x'.repeat(200_000)}');\n`;
    const text = `${long}GRANT SELECT ON t TO bob;\nALTER TABLE t OWNER TO bob;`;
    const { output, dropped } = await filter(text, 65_536);
    expect(output).toBe(long);
    expect(dropped).toBe(2);
    expect((await filter('SELECT 1;')).output).toBe('SELECT 1;');
  });
});
