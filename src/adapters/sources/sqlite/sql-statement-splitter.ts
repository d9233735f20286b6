/**
 * Cuts a stream of SQLite SQL text into complete statements, so a dump can be applied one
 * statement at a time in bounded memory (the largest statement, not the whole dump).
 *
 * A `;` ends a statement only outside string literals ('…'), quoted identifiers ("…", `…`, […])
 * and comments (-- …, /* … *\/). `CREATE [TEMP] TRIGGER … BEGIN …; …; END;` holds `;` in its body:
 * it ends at a `;` whose two preceding tokens are `;` and `END`. The grammar makes every trigger
 * body end with `; END`, while `CASE … END` and a column named `end` never follow a `;`.
 */
export class SqlStatementSplitter {
  /** Scanned text of the current, unfinished statement. */
  #parts: string[] = [];
  /** A short unscanned tail (part of a word, a lone `-`, `/` or `*`) waiting for the next chunk. */
  #carry = '';
  #state: 'normal' | 'single' | 'double' | 'backtick' | 'bracket' | 'line-comment' | 'block-comment' = 'normal';
  /** Significant tokens seen in the current statement. */
  #tokens = 0;
  /** The statement's first three words, upper-cased, to recognise CREATE [TEMP] TRIGGER. */
  #leadingWords: string[] = [];
  /** The last two significant tokens: a word (upper-cased), `;`, or `?` for anything else. */
  #previous: [string, string] = ['', ''];

  /** Adds text; returns the statements completed by it, each with its `;`, trimmed. */
  push(text: string): string[] {
    return this.#scan(text, false);
  }

  /**
   * Ends the input; returns the statements it completed and the unfinished rest: '' when the text
   * ended between statements, else the start of a statement that never got its `;`.
   */
  end(): { statements: string[]; rest: string } {
    const statements = this.#scan('', true);
    const unfinished = this.#tokens > 0 || this.#state === 'single' || this.#state === 'double' || this.#state === 'backtick' || this.#state === 'bracket';
    const rest = unfinished ? this.#parts.join('').trim() : '';
    this.#parts = [];
    this.#state = 'normal';
    this.#startStatement();
    return { statements, rest };
  }

  #scan(chunk: string, final: boolean): string[] {
    const statements: string[] = [];
    // Only the chunk (plus a few carried characters) is scanned: a multi-GiB literal costs one pass.
    const text = this.#carry + chunk;
    this.#carry = '';
    let start = 0;
    let pos = 0;
    scan: while (pos < text.length) {
      switch (this.#state) {
        case 'single':
        case 'double':
        case 'backtick':
        case 'bracket': {
          // A doubled quote ('') reads as the end of one literal and the start of the next, which
          // splits the same way, so no look-ahead across chunks is needed.
          const close = text.indexOf(CLOSERS[this.#state], pos);
          if (close === -1) {
            pos = text.length;
            break scan;
          }
          pos = close + 1;
          this.#state = 'normal';
          this.#remember('?');
          continue scan;
        }
        case 'line-comment': {
          const newline = text.indexOf('\n', pos);
          if (newline === -1) {
            pos = text.length;
            break scan;
          }
          pos = newline + 1;
          this.#state = 'normal';
          continue scan;
        }
        case 'block-comment': {
          const close = text.indexOf('*/', pos);
          if (close === -1) {
            // Look at a trailing `*` again with the next chunk, which may start with `/`.
            pos = final ? text.length : Math.max(pos, text.length - 1);
            break scan;
          }
          pos = close + 2;
          this.#state = 'normal';
          continue scan;
        }
      }

      const char = text[pos];
      if (char === "'" || char === '"' || char === '`' || char === '[') {
        this.#state = char === "'" ? 'single' : char === '"' ? 'double' : char === '`' ? 'backtick' : 'bracket';
        pos += 1;
        continue;
      }
      if ((char === '-' || char === '/') && pos + 1 >= text.length && !final) break; // needs the next char
      if (char === '-' && text[pos + 1] === '-') {
        this.#state = 'line-comment';
        pos += 2;
        continue;
      }
      if (char === '/' && text[pos + 1] === '*') {
        this.#state = 'block-comment';
        pos += 2;
        continue;
      }
      if (char === ';') {
        const complete = !this.#isTrigger() || (this.#previous[1] === 'END' && this.#previous[0] === ';');
        const empty = this.#tokens === 0;
        this.#remember(';');
        pos += 1;
        if (complete) {
          this.#parts.push(text.slice(start, pos));
          const statement = this.#parts.join('').trim();
          this.#parts = [];
          if (!empty) statements.push(statement);
          start = pos;
          this.#startStatement();
        }
        continue;
      }
      if (isWordChar(char)) {
        let end = pos + 1;
        while (end < text.length && isWordChar(text[end])) end += 1;
        if (end >= text.length && !final) break; // the word may go on in the next chunk
        const word = text.slice(pos, end).toUpperCase();
        if (this.#leadingWords.length < 3) this.#leadingWords.push(word);
        this.#remember(word);
        pos = end;
        continue;
      }
      if (!isSpace(char)) this.#remember('?');
      pos += 1;
    }
    this.#parts.push(text.slice(start, pos));
    this.#carry = text.slice(pos);
    return statements;
  }

  #startStatement(): void {
    this.#tokens = 0;
    this.#leadingWords = [];
    this.#previous = ['', ''];
  }

  #remember(token: string): void {
    this.#tokens += 1;
    this.#previous = [this.#previous[1], token];
  }

  #isTrigger(): boolean {
    const [first, second, third] = this.#leadingWords;
    return first === 'CREATE' && (second === 'TRIGGER' || ((second === 'TEMP' || second === 'TEMPORARY') && third === 'TRIGGER'));
  }
}

const CLOSERS = { single: "'", double: '"', backtick: '`', bracket: ']' } as const;

function isWordChar(char: string | undefined): boolean {
  if (char === undefined) return false;
  const code = char.charCodeAt(0);
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || char === '_' || char === '$' || code >= 128;
}

function isSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\n' || char === '\r' || char === '\t' || char === '\f' || char === '\v';
}
