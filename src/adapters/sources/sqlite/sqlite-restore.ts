import type { DatabaseSync } from 'node:sqlite';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { DBackupError, cancelledError, throwIfAborted } from '../../../core/errors.ts';
import { chunksOf } from '../../../core/stream-chunks.ts';
import { trailerGuard } from '../trailer-guard.ts';
import { SQLITE_DUMP_COMPLETE_MARKER, quoteIdentifier } from './sqlite-dump.ts';
import { SqlStatementSplitter } from './sql-statement-splitter.ts';

/**
 * Executes a dump from `input` in `db` statement by statement, reading with backpressure (the
 * next chunk is read only after the previous one's statements ran). The caller owns the
 * transaction. Throws `invalid_input` for a statement SQLite rejects, `integrity` for input that
 * ends inside a statement or without the completion marker, `cancelled` when the signal fires.
 */
export async function applySqliteDump(db: DatabaseSync, input: Readable, signal?: AbortSignal): Promise<void> {
  const splitter = new SqlStatementSplitter();
  const decoder = new StringDecoder('utf8');
  const guard = trailerGuard(SQLITE_DUMP_COMPLETE_MARKER, 'DBackup');
  const onAbort = (): void => {
    input.destroy(cancelledError(signal?.reason));
  };
  throwIfAborted(signal);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const bytes of chunksOf(input)) {
      guard.observe(bytes);
      for (const statement of splitter.push(decoder.write(bytes))) execute(db, statement);
    }
    throwIfAborted(signal);
    for (const statement of splitter.push(decoder.end())) execute(db, statement);
    const end = splitter.end();
    for (const statement of end.statements) execute(db, statement);
    guard.finish();
    if (end.rest !== '') {
      throw new DBackupError('integrity', 'The backup ends in the middle of an SQL statement: it is truncated. Restore a different backup.');
    }
  } catch (error) {
    throw signal?.aborted ? cancelledError(signal.reason) : error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function execute(db: DatabaseSync, statement: string): void {
  try {
    db.exec(statement);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const excerpt = statement.length > 200 ? `${statement.slice(0, 200)}…` : statement;
    throw new DBackupError('invalid_input', `SQLite rejected a statement of the backup (${String(reason)}): ${excerpt}`, {
      cause: error,
      details: { sqliteCode: (error as { errcode?: unknown }).errcode },
    });
  }
}

/** Tables, views, indexes and triggers of the main schema (internal `sqlite_` tables left out). */
export function userObjects(db: DatabaseSync): { type: string; name: string }[] {
  return db
    .prepare("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")
    .all()
    .map((row) => ({ type: String(row.type), name: String(row.name) }));
}

/** Empties the main schema inside the caller's transaction: views, then tables (their indexes and triggers go with them). */
export function dropUserObjects(db: DatabaseSync): void {
  const objects = userObjects(db);
  for (const view of objects.filter((object) => object.type === 'view')) db.exec(`DROP VIEW IF EXISTS ${quoteIdentifier(view.name)}`);
  // IF EXISTS: dropping a virtual table already removed its shadow tables.
  for (const table of objects.filter((object) => object.type === 'table')) db.exec(`DROP TABLE IF EXISTS ${quoteIdentifier(table.name)}`);
  for (const trigger of userObjects(db).filter((object) => object.type === 'trigger')) db.exec(`DROP TRIGGER IF EXISTS ${quoteIdentifier(trigger.name)}`);
  if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").get()) db.exec('DELETE FROM sqlite_sequence');
  db.exec('PRAGMA user_version = 0; PRAGMA application_id = 0');
}
