/** What every repository gets, and the small conversions between rows and records. */
import type { Kysely } from 'kysely';
import { DBackupError } from '../../../core/errors.ts';
import type { SecretBox } from '../../../ports/secret-box.port.ts';
import type { StoreSchema } from '../schema.ts';

export interface RepositoryContext {
  /** The database or, inside `store.transaction`, the transaction. Read it per call. */
  readonly db: () => Kysely<StoreSchema>;
  /** The current SecretBox (changes after key rotation). */
  readonly box: () => SecretBox;
  readonly now: () => Date;
}

/** Runs `work` atomically: joins the transaction in progress or starts one. */
export function atomically<T>(db: Kysely<StoreSchema>, work: (db: Kysely<StoreSchema>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** Rows deleted per statement when pruning history: well under either database's parameter limit. */
export const PRUNE_BATCH = 500;

/** `items` in consecutive slices of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}

export const iso = (date: Date): string => date.toISOString();
export const toDate = (text: string): Date => new Date(text);
export const toOptionalDate = (text: string | null): Date | undefined => (text === null ? undefined : new Date(text));
export const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
/** PostgreSQL returns bigint and count(*) as strings. */
export const toNumber = (value: number | string | bigint): number => Number(value);

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function notFound(what: string, id: string): DBackupError {
  return new DBackupError('not_found', `${what} ${id} does not exist.`, { retryable: false, details: { id } });
}

export function conflict(message: string, details: Record<string, unknown> = {}): DBackupError {
  return new DBackupError('conflict', message, { retryable: false, details });
}

export function invalidInput(message: string): DBackupError {
  return new DBackupError('invalid_input', message, { retryable: false });
}
