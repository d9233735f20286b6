import type { DatabaseSync } from 'node:sqlite';
import { throwIfAborted } from '../../../core/errors.ts';

/** The dump's last line; restore refuses input that does not end with it. */
export const SQLITE_DUMP_COMPLETE_MARKER = '-- DBackup SQLite dump complete';

const CHUNK_CHARS = 64 * 1024;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Writes `db` as SQL text, like the sqlite3 shell's `.dump`: tables with their rows (rowids kept),
 * AUTOINCREMENT counters, then indexes, triggers and views (after the data, so triggers do not fire
 * while rows are inserted), then `user_version` / `application_id`. No BEGIN/COMMIT: restore wraps
 * the whole dump in one transaction itself.
 *
 * Values are exact: integers as 64-bit, reals in shortest round-trip form (kept REAL with `.0`),
 * blobs as X'…', text as '…' — or CAST(X'…' AS TEXT) when it holds NUL or invalid UTF-8, which a
 * SQL literal cannot carry. Yields text in ~64 KiB pieces and reads rows lazily: memory holds one
 * row plus one piece, whatever the database size. Meant for a private snapshot copy: it reads
 * without a transaction of its own.
 */
export async function* sqliteDump(db: DatabaseSync, signal?: AbortSignal): AsyncGenerator<string> {
  const out = new Pieces();
  const version = db.prepare('SELECT sqlite_version() AS v').get()?.v;
  out.add(`-- DBackup SQLite dump (SQLite ${String(version)})\n`);
  out.add('-- To load it with the sqlite3 shell: (echo "BEGIN;"; cat dump.sql; echo "COMMIT;") | sqlite3 new.db\n');

  const utf8 = String(db.prepare('PRAGMA encoding').get()?.encoding ?? 'UTF-8') === 'UTF-8';
  const kinds = tableKinds(db);
  const schema = db.prepare("SELECT type, name, tbl_name AS owner, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid").all() as unknown as SchemaRow[];

  for (const entry of schema) {
    if (entry.type !== 'table' || entry.name.startsWith('sqlite_')) continue;
    const kind = kinds.get(entry.name);
    if (kind?.type === 'shadow') continue; // created by their virtual table
    out.add(`${entry.sql};\n`);
    for (const insert of tableRows(db, entry.name, kind, utf8)) {
      out.add(insert);
      if (out.full) {
        throwIfAborted(signal);
        yield out.take();
      }
    }
  }

  if (kinds.has('sqlite_sequence')) {
    out.add('DELETE FROM sqlite_sequence;\n');
    for (const insert of tableRows(db, 'sqlite_sequence', kinds.get('sqlite_sequence'), utf8)) out.add(insert);
  }

  for (const entry of schema) {
    if (entry.type === 'table' || kinds.get(entry.owner)?.type === 'shadow') continue;
    out.add(`${entry.sql};\n`);
  }

  for (const pragma of ['user_version', 'application_id']) {
    const value = Number(db.prepare(`PRAGMA ${pragma}`).get()?.[pragma] ?? 0);
    if (value !== 0) out.add(`PRAGMA ${pragma}=${value};\n`);
  }
  out.add(`${SQLITE_DUMP_COMPLETE_MARKER}\n`);
  throwIfAborted(signal);
  yield out.take();
}

interface SchemaRow {
  type: 'table' | 'index' | 'trigger' | 'view';
  name: string;
  owner: string;
  sql: string;
}

interface TableKind {
  type: string;
  withoutRowid: boolean;
}

function tableKinds(db: DatabaseSync): Map<string, TableKind> {
  const rows = db.prepare("SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main'").all();
  return new Map(rows.map((row) => [String(row.name), { type: String(row.type), withoutRowid: Number(row.wr) === 1 }]));
}

function* tableRows(db: DatabaseSync, table: string, kind: TableKind | undefined, utf8: boolean): Generator<string> {
  const columns = db
    .prepare('SELECT name, type, pk, hidden FROM pragma_table_xinfo(?)')
    .all(table)
    .filter((column) => Number(column.hidden) === 0) // generated and hidden columns are computed, not stored
    .map((column) => ({ name: String(column.name), type: String(column.type), pk: Number(column.pk) }));
  if (columns.length === 0) return;

  const rowidName = preservedRowid(columns, kind);
  const names = [...(rowidName ? [rowidName] : []), ...columns.map((column) => column.name)];
  // typeof() tells text from blob; text is read as its raw bytes so nothing is lost in decoding.
  const selected = names.map((name) => {
    const id = quoteIdentifier(name);
    return utf8 ? `typeof(${id}), CASE WHEN typeof(${id}) = 'text' THEN CAST(${id} AS BLOB) ELSE ${id} END` : `typeof(${id}), ${id}`;
  });
  const statement = db.prepare(`SELECT ${selected.join(', ')} FROM ${quoteIdentifier(table)}${rowidName ? ` ORDER BY ${quoteIdentifier(rowidName)}` : ''}`);
  statement.setReadBigInts(true);
  statement.setReturnArrays(true);

  const prefix = `INSERT INTO ${quoteIdentifier(table)}(${names.map(quoteIdentifier).join(',')}) VALUES(`;
  for (const row of statement.iterate() as IterableIterator<unknown[]>) {
    const values: string[] = [];
    for (let index = 0; index < row.length; index += 2) values.push(sqlLiteral(row[index] as string, row[index + 1]));
    yield `${prefix}${values.join(',')});\n`;
  }
}

/**
 * The name under which a rowid table's rowid is dumped, so rows keep their rowids (FTS external
 * content and applications may refer to them). Not needed when an INTEGER PRIMARY KEY column is
 * the rowid; impossible when columns shadow all three names.
 */
function preservedRowid(columns: { name: string; type: string; pk: number }[], kind: TableKind | undefined): string | undefined {
  if (!kind || kind.withoutRowid || (kind.type !== 'table' && kind.type !== 'virtual')) return undefined;
  const primaryKey = columns.filter((column) => column.pk > 0);
  if (primaryKey.length === 1 && primaryKey[0]?.type.toUpperCase() === 'INTEGER') return undefined;
  const taken = new Set(columns.map((column) => column.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((name) => !taken.has(name));
}

/** One value as an SQL literal that reads back as the same storage class and bytes. */
export function sqlLiteral(storageClass: string, value: unknown): string {
  switch (storageClass) {
    case 'null':
      return 'NULL';
    case 'integer':
      return String(value);
    case 'real':
      return realLiteral(value as number);
    case 'blob':
      return `X'${hex(value as Uint8Array)}'`;
    case 'text': {
      if (typeof value === 'string') return textLiteral(value);
      const bytes = value as Uint8Array;
      let text: string | undefined;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        text = undefined;
      }
      return text === undefined || text.includes('\0') ? `CAST(X'${hex(bytes)}' AS TEXT)` : textLiteral(text);
    }
    default:
      throw new Error(`unexpected SQLite storage class ${storageClass}`);
  }
}

function realLiteral(value: number): string {
  if (Number.isNaN(value)) return 'NULL'; // SQLite stores NaN as NULL
  if (value === Infinity) return '9e999';
  if (value === -Infinity) return '-9e999';
  if (Object.is(value, -0)) return '-0.0';
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function textLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Collects small strings and hands them out in pieces of about CHUNK_CHARS. */
class Pieces {
  #parts: string[] = [];
  #size = 0;

  add(text: string): void {
    this.#parts.push(text);
    this.#size += text.length;
  }

  get full(): boolean {
    return this.#size >= CHUNK_CHARS;
  }

  take(): string {
    const text = this.#parts.join('');
    this.#parts = [];
    this.#size = 0;
    return text;
  }
}
