import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { DBackupError } from '../../core/errors.ts';
import type { Destination } from '../../ports/destination.port.ts';

/** Options of `describeDestinationConformance` (see there). */
export interface DestinationConformanceOptions {
  /** Size of the multi-chunk round trip (and twice half of it for the failure tests). Default 20 MiB. */
  largeFileBytes?: number;
  /** The adapter's list page size; when > 0 a listing of more than two pages is checked. Default 0 (skip). */
  pageSizeHint?: number;
  /** Whether lookups ignore case (Dropbox does; local disk on Linux does not). Default false. */
  caseInsensitive?: boolean;
  /**
   * Maps a folder of keys (`run/browse`) to the path `browseFolders` takes and returns for it.
   * Default `'/' + folder`, right when browsing starts at the destination's root (local disk,
   * Dropbox app folder). A full-Dropbox destination stored under `/backups` passes `f => '/backups/' + f`.
   */
  browsePathOf?: (keyFolder: string) => string;
}

/** What the grouped conformance tests share: the facade-wrapped destination and helpers. */
export interface ConformanceContext {
  storage(): Destination;
  /** A key below this run's own folder, so runs sharing an account do not collide. */
  key(...parts: string[]): string;
  options: Required<DestinationConformanceOptions>;
}

/** A non-object-mode source of `data` in one chunk (or none for an empty buffer). */
export function sourceOf(data: Buffer | string): Readable {
  const bytes = Buffer.from(data);
  return Readable.from(bytes.length === 0 ? [] : [bytes], { objectMode: false });
}

/** The whole file, for small test files only. */
export async function readAll(storage: Destination, key: string): Promise<Buffer> {
  return buffer(await storage.read(key));
}

/** Sorted keys of `list(prefix)`. */
export async function listKeys(storage: Destination, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of storage.list(prefix)) keys.push(file.key);
  return keys.sort();
}

/** The `DBackupError` the promise rejects with; fails the test on success or any other error. */
export async function rejection(promise: Promise<unknown>): Promise<DBackupError> {
  const error: unknown = await promise.then(
    () => new Error('expected the operation to fail, but it succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof DBackupError)) throw error;
  return error;
}

