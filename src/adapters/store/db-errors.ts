/**
 * Classifies database driver errors by their codes — `node:sqlite` extended result codes
 * (`errcode`) and PostgreSQL SQLSTATEs (`code`) — never by message text.
 */
import { DBackupError, isDBackupError } from '../../core/errors.ts';

export type ConstraintKind = 'unique' | 'foreign_key' | 'check' | 'not_null';

// SQLite extended result codes (https://sqlite.org/rescode.html).
const SQLITE_CONSTRAINTS: Readonly<Record<number, ConstraintKind>> = {
  275: 'check', // SQLITE_CONSTRAINT_CHECK
  787: 'foreign_key', // SQLITE_CONSTRAINT_FOREIGNKEY
  1299: 'not_null', // SQLITE_CONSTRAINT_NOTNULL
  1555: 'unique', // SQLITE_CONSTRAINT_PRIMARYKEY
  2067: 'unique', // SQLITE_CONSTRAINT_UNIQUE
};
const SQLITE_BUSY = new Set([5, 6, 261, 262, 517]); // BUSY, LOCKED and their extended forms
const SQLITE_UNAVAILABLE = new Set([10, 13, 14, 26]); // IOERR, FULL, CANTOPEN, NOTADB (primary codes)

// PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const PG_CONSTRAINTS: Readonly<Record<string, ConstraintKind>> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23502': 'not_null',
};
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

interface DriverError {
  code?: unknown;
  errcode?: unknown;
}

export function constraintKind(error: unknown): ConstraintKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errcode } = error as DriverError;
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number') return SQLITE_CONSTRAINTS[errcode];
  if (typeof code === 'string') return PG_CONSTRAINTS[code];
  return undefined;
}

/**
 * Turns anything a query threw into a DBackupError: DBackupErrors pass through; lock contention
 * and serialisation failures become `transient` (retryable), lost connections and disk problems
 * `unavailable`, the rest `internal`. The original stays as `cause`.
 */
export function toStoreError(error: unknown): DBackupError {
  if (isDBackupError(error)) return error;
  const { code, errcode } = (typeof error === 'object' && error !== null ? error : {}) as DriverError;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_SQLITE_ERROR' && typeof errcode === 'number') {
    if (SQLITE_BUSY.has(errcode)) {
      return new DBackupError('transient', 'The metadata database is busy (another DBackup process holds a lock). Try again.', { cause: error });
    }
    if (SQLITE_UNAVAILABLE.has(errcode & 0xff)) {
      return new DBackupError('unavailable', `The metadata database cannot be read or written: ${detail}. Check the disk and DBACKUP_DATA_DIR.`, { cause: error, retryable: false });
    }
  }
  if (typeof code === 'string') {
    if (code === '40001' || code === '40P01') {
      return new DBackupError('transient', 'A metadata database transaction conflicted with another one. Try again.', { cause: error });
    }
    if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53') || NETWORK_CODES.has(code)) {
      return new DBackupError('unavailable', `The metadata database is unreachable: ${detail}.`, { cause: error, retryable: true });
    }
  }
  return new DBackupError('internal', `Metadata database error: ${detail}`, { cause: error, retryable: false });
}
