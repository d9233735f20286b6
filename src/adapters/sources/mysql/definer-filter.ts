import { Transform, type TransformCallback } from 'node:stream';

/** A backtick-quoted identifier as mysqldump/mariadb-dump write it (a backtick inside is doubled). */
const ID = '`(?:[^`]|``)*`';
const DEFINER = `DEFINER=${ID}@${ID}`;

/**
 * The DEFINER clauses the dump tools write, each at the start of a line, and what is left of the
 * line without it. With the clause gone, the server makes the restoring user the definer.
 */
const REWRITES: Array<[RegExp, string]> = [
  // Triggers: /*!50003 CREATE*/ /*!50017 DEFINER=`u`@`h`*/ /*!50003 TRIGGER …
  [new RegExp(`^(/\\*!50003 CREATE\\*/ )/\\*!50017 ${DEFINER}\\*/ `), '$1'],
  // Events: /*!50106 CREATE*/ /*!50117 DEFINER=`u`@`h`*/ /*!50106 EVENT …
  [new RegExp(`^(/\\*!50106 CREATE\\*/ )/\\*!50117 ${DEFINER}\\*/ `), '$1'],
  // Routines: CREATE DEFINER=`u`@`h` PROCEDURE|FUNCTION …
  [new RegExp(`^CREATE ${DEFINER} (PROCEDURE|FUNCTION) `), 'CREATE $1 '],
  // Views: /*!50013 DEFINER=`u`@`h` SQL SECURITY DEFINER */
  [new RegExp(`^/\\*!50013 ${DEFINER} SQL SECURITY`), '/*!50013 SQL SECURITY'],
];

/** Room for the longest clause: user (80 characters) and host (255), each possibly with doubled backticks, in UTF-8. */
const HEAD_LIMIT = 4096;
const NEWLINE = 0x0a;

/**
 * Leaves the DEFINER clauses of views, routines, triggers and events out of a MySQL/MariaDB dump,
 * so a restore onto a server without the backup's accounts gives those objects the restoring user
 * as definer (otherwise they are created with a warning and fail when used). Only the first bytes
 * of each line are looked at, and only the exact forms above are rewritten: data rows (one
 * `INSERT` per line; the dump tools escape newlines inside values) pass through untouched, and
 * memory stays bounded by HEAD_LIMIT whatever the line lengths.
 */
export function withoutDefiners(): Transform {
  let head: Buffer[] = [];
  let headLength = 0;
  /** True while the rest of the current line passes through unchanged. */
  let passing = false;

  const flushHead = (push: (chunk: Buffer) => void): void => {
    if (headLength === 0) return;
    push(rewrite(Buffer.concat(head, headLength)));
    head = [];
    headLength = 0;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      const push = (bytes: Buffer): void => void this.push(bytes);
      let at = 0;
      while (at < chunk.length) {
        const newline = chunk.indexOf(NEWLINE, at);
        const lineEnd = newline === -1 ? chunk.length : newline + 1;
        if (passing) {
          push(chunk.subarray(at, lineEnd));
        } else {
          const take = Math.min(lineEnd - at, HEAD_LIMIT - headLength);
          head.push(chunk.subarray(at, at + take));
          headLength += take;
          const lineComplete = newline !== -1 && at + take === lineEnd;
          if (lineComplete || headLength === HEAD_LIMIT) {
            flushHead(push);
            // A full head decided the line: the rest of it passes as it is.
            if (at + take < lineEnd) push(chunk.subarray(at + take, lineEnd));
            if (!lineComplete) passing = true;
          }
        }
        if (newline !== -1) passing = false;
        at = lineEnd;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      flushHead((bytes) => void this.push(bytes));
      callback();
    },
  });
}

/** `line` (the first bytes of a line) with a DEFINER clause removed, or unchanged. */
export function rewrite(line: Buffer): Buffer {
  // latin1 maps bytes 1:1, so any UTF-8 in names survives the round trip untouched.
  const text = line.toString('latin1');
  for (const [pattern, replacement] of REWRITES) {
    if (pattern.test(text)) return Buffer.from(text.replace(pattern, replacement), 'latin1');
  }
  return line;
}
