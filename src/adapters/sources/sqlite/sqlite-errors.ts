import { DBackupError } from '../../../core/errors.ts';

/**
 * Classifies a node:sqlite failure by its SQLite result code (`error.errcode`, primary code in
 * the low byte), never by its text. `file` names the database for the message.
 */
export function sqliteError(error: unknown, file: string, action: string): DBackupError {
  if (error instanceof DBackupError) return error;
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  const primary = typeof errcode === 'number' ? errcode & 0xff : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  const options = { cause: error, details: { sqliteCode: errcode } };
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return new DBackupError('transient', `${action} failed: ${file} stayed locked by another connection (${String(reason)}). Try again later.`, options);
    case SQLITE_CANTOPEN:
      return new DBackupError('unavailable', `${action} failed: ${file} cannot be opened (${String(reason)}). Check that the path exists and that this service may read and write it.`, options);
    case SQLITE_NOTADB:
      return new DBackupError('invalid_input', `${file} is not a SQLite database.`, options);
    case SQLITE_CORRUPT:
      return new DBackupError('integrity', `${file} is damaged (${String(reason)}); check it with "PRAGMA integrity_check".`, options);
    case SQLITE_FULL:
      return new DBackupError('unavailable', `${action} failed: the disk is full (${String(reason)}). Free some space and try again.`, options);
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return new DBackupError('missing_scope', `${action} failed: ${file} is read-only for this service (${String(reason)}).`, options);
  }
  return new DBackupError('unavailable', `${action} failed on ${file}: ${String(reason)}`, options);
}

// Primary result codes, https://sqlite.org/rescode.html
const SQLITE_PERM = 3;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_AUTH = 23;
const SQLITE_NOTADB = 26;
