import { Transform, type TransformCallback } from 'node:stream';

/**
 * Drops the statements of a plain-format pg_dump that give objects to roles or grant privileges,
 * so a backup restores into a server that lacks the original roles, with every object owned by the
 * restoring user (what `pg_restore --no-owner --no-privileges` does for archive formats):
 * `ALTER … OWNER TO …;`, `GRANT …;`, `REVOKE …;`, `ALTER DEFAULT PRIVILEGES …;` and
 * `SET SESSION AUTHORIZATION …;`, each on a line of its own as pg_dump writes them.
 *
 * Lines are only dropped between statements: never inside COPY data (from `COPY … FROM stdin;` to
 * `\.`) nor inside a dollar-quoted body (a function may run GRANT itself). Memory stays bounded:
 * only the first 64 KiB of a line is held to decide; a longer line cannot be one of these
 * statements and passes through as it comes.
 */
const DECIDE_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const DROPPED = /^(?:ALTER\s.+\sOWNER TO\s.+|GRANT\s.+|REVOKE\s.+|ALTER DEFAULT PRIVILEGES\s.+|SET SESSION AUTHORIZATION\s.+);$/;
const COPY_FROM_STDIN = /^COPY\s.+\sFROM stdin;$/;
const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z_0-9]*)?\$/g;

export class OwnershipFilter extends Transform {
  /** Statements dropped so far. */
  dropped = 0;
  #inCopy = false;
  /** Tag of the dollar-quoted body we are in (`''` for `$$`), or undefined outside one. */
  #dollarTag: string | undefined;
  /** Start of the current line while it is being decided. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  /** The current line is too long to be a dropped statement: its rest passes through. */
  #decided: 'pass' | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let position = 0;
    while (position < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, position);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(position, end);
      position = end;
      const lineEnds = newline !== -1;
      if (this.#decided === undefined && this.#heldBytes === 0 && this.#inCopy && piece[0] !== BACKSLASH) {
        // A COPY data row (only `\.` ends the data): no need to hold it.
        this.#decided = 'pass';
      }
      if (this.#decided === 'pass') {
        this.push(piece);
      } else {
        this.#held.push(piece);
        this.#heldBytes += piece.length;
        if (lineEnds) this.#decide(this.#held.length === 1 ? piece : Buffer.concat(this.#held, this.#heldBytes));
        else if (this.#heldBytes >= DECIDE_BYTES) this.#passLongLine();
      }
      if (lineEnds) this.#decided = undefined;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A last line without a newline.
    if (this.#decided === undefined && this.#heldBytes > 0) this.#decide(Buffer.concat(this.#held, this.#heldBytes));
    callback();
  }

  /** A long line: never one of the dropped statements; pass what we held and the rest. */
  #passLongLine(): void {
    const start = Buffer.concat(this.#held, this.#heldBytes);
    this.#held = [];
    this.#heldBytes = 0;
    this.#decided = 'pass';
    // (Quotes beyond the first 64 KiB of a line are not followed; no dump line of that length opens a body.)
    if (!this.#inCopy) this.#trackDollarQuotes(start.toString('utf8'));
    this.push(start);
  }

  #decide(line: Buffer): void {
    this.#held = [];
    this.#heldBytes = 0;
    const text = line.toString('utf8').replace(/\r?\n$/, '');
    if (this.#inCopy) {
      if (text === '\\.') this.#inCopy = false;
      this.push(line);
      return;
    }
    if (this.#dollarTag === undefined) {
      if (DROPPED.test(text)) {
        this.dropped += 1;
        return;
      }
      if (COPY_FROM_STDIN.test(text)) {
        this.#inCopy = true;
        this.push(line);
        return;
      }
    }
    this.#trackDollarQuotes(text);
    this.push(line);
  }

  /** Follows `$tag$ … $tag$` bodies across lines; quoted strings are skipped first. */
  #trackDollarQuotes(text: string): void {
    const outsideStrings = this.#dollarTag === undefined ? text.replace(/'(?:[^']|'')*'/g, "''") : text;
    for (const match of outsideStrings.matchAll(DOLLAR_TAG)) {
      const tag = match[1] ?? '';
      if (this.#dollarTag === undefined) this.#dollarTag = tag;
      else if (this.#dollarTag === tag) this.#dollarTag = undefined;
    }
  }
}
