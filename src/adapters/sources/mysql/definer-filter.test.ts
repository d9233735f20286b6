import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generatedBytes } from '../../../test-support/generated-data.ts';
import { withoutDefiners } from './definer-filter.ts';

async function filtered(pieces: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(pieces).pipe(withoutDefiners())) out.push(chunk as Buffer);
  return Buffer.concat(out).toString();
}

/** Lines as mariadb-dump 10.11 writes them (seen in a real dump), with awkward names. */
const DUMP = [
  '/*!50003 CREATE*/ /*!50017 DEFINER=`app``x`@`%`*/ /*!50003 trigger tr before insert on t for each row set new.a = new.a ',
  '/*!50106 CREATE*/ /*!50117 DEFINER=`app`@`10.0.0.%`*/ /*!50106 EVENT `ev` ON SCHEDULE EVERY 1 DAY DO select 1 ',
  'CREATE DEFINER=`élise`@`localhost` FUNCTION `f`() RETURNS int(11)',
  'CREATE DEFINER=`root`@`127.0.0.1` PROCEDURE `p`()',
  '/*!50001 CREATE ALGORITHM=UNDEFINED */',
  '/*!50013 DEFINER=`root`@`127.0.0.1` SQL SECURITY DEFINER */',
  "INSERT INTO `notes` VALUES (1,'CREATE DEFINER=`x`@`y` PROCEDURE stays, it is data'),(2,'/*!50013 DEFINER=`a`@`b` SQL SECURITY')",
  '  CREATE DEFINER=`x`@`y` PROCEDURE not at the start of a line stays',
  '',
].join('\n');

const EXPECTED = [
  '/*!50003 CREATE*/ /*!50003 trigger tr before insert on t for each row set new.a = new.a ',
  '/*!50106 CREATE*/ /*!50106 EVENT `ev` ON SCHEDULE EVERY 1 DAY DO select 1 ',
  'CREATE FUNCTION `f`() RETURNS int(11)',
  'CREATE PROCEDURE `p`()',
  '/*!50001 CREATE ALGORITHM=UNDEFINED */',
  '/*!50013 SQL SECURITY DEFINER */',
  "INSERT INTO `notes` VALUES (1,'CREATE DEFINER=`x`@`y` PROCEDURE stays, it is data'),(2,'/*!50013 DEFINER=`a`@`b` SQL SECURITY')",
  '  CREATE DEFINER=`x`@`y` PROCEDURE not at the start of a line stays',
  '',
].join('\n');

describe('withoutDefiners', () => {
  it('removes the DEFINER clauses of triggers, events, routines and views, and nothing else', async () => {
    expect(await filtered([Buffer.from(DUMP)])).toBe(EXPECTED);
  });

  it('gives the same output whatever the chunk boundaries, down to single bytes', async () => {
    const bytes = Buffer.from(DUMP);
    expect(await filtered([...bytes].map((byte) => Buffer.from([byte])))).toBe(EXPECTED);
    for (const size of [2, 7, 64, 333]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      expect(await filtered(pieces)).toBe(EXPECTED);
    }
  });

  it('passes long lines (a large data row) through byte for byte, and keeps a last line without a newline', async () => {
    const row = Buffer.concat([Buffer.from("INSERT INTO `b` VALUES ('"), Buffer.from(generatedBytes(3 * 1024 * 1024, 5).toString('hex')), Buffer.from("');\n")]);
    const tail = Buffer.from('CREATE DEFINER=`u`@`h` PROCEDURE `q`()');
    const input = Buffer.concat([row, row, tail]);
    const pieces: Buffer[] = [];
    for (let at = 0; at < input.length; at += 65_536) pieces.push(input.subarray(at, at + 65_536));
    const out = await filtered(pieces);
    expect(out).toBe(Buffer.concat([row, row, Buffer.from('CREATE PROCEDURE `q`()')]).toString());
  });
});
