/**
 * Opens the embedded SQLite database with the settings the store relies on: WAL journal (readers
 * do not block the writer; the CLI can read while the server writes), foreign keys enforced, a
 * busy timeout so a second process waits instead of failing, and `synchronous=NORMAL`, which is
 * durable across application crashes in WAL mode.
 */
import { DatabaseSync } from 'node:sqlite';
import { Kysely } from 'kysely';
import { DBackupError } from '../../../core/errors.ts';
import { createNodeSqliteDialect } from './node-sqlite.dialect.ts';

export const SQLITE_FILE_NAME = 'dbackup.sqlite';

export interface OpenSqliteOptions {
  /** Path to the database file, or `:memory:`. */
  filename: string;
  /** Milliseconds to wait for another process's lock; default 5000. */
  busyTimeoutMs?: number;
}

/** Throws `unavailable` when the file cannot be opened (permissions, not a database, disk). */
export function openSqliteKysely<DB>(options: OpenSqliteOptions): Kysely<DB> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  let database: DatabaseSync;
  try {
    database = new DatabaseSync(options.filename, { enableForeignKeyConstraints: true, timeout: busyTimeoutMs });
    database.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    database.exec('PRAGMA foreign_keys = ON');
    if (options.filename !== ':memory:') {
      database.exec('PRAGMA journal_mode = WAL');
      database.exec('PRAGMA synchronous = NORMAL');
    }
  } catch (cause) {
    throw new DBackupError(
      'unavailable',
      `Cannot open the metadata database ${options.filename}: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Check that DBACKUP_DATA_DIR is writable and the file is a DBackup database.',
      { cause, retryable: false },
    );
  }
  return new Kysely<DB>({ dialect: createNodeSqliteDialect({ database }) });
}
