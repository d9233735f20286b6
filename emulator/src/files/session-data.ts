import { rename } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { routeError, tag, type HttpFailure } from '../http/failure.ts';
import { readBody } from '../http/body.ts';
import { concatenate, cutBack, hashFile, receiveAppend, removeQuietly } from './blob-io.ts';
import { CONCURRENT_CHUNK, MAX_SESSION_BYTES, type UploadSession } from './sessions.ts';

/** Where the failure of a body belongs: append errors are top level, finish wraps lookups in `lookup_failed`. */
export type Wrap = (lookupError: Record<string, unknown>) => HttpFailure;

export const appendWrap: Wrap = (e) => routeError(e);
export const finishWrap: Wrap = (e) => routeError(tag('lookup_failed', e));

export function chunkPath(session: UploadSession, offset: number): string {
  return `${session.blob}.chunk-${offset}`;
}

/**
 * Appends a request body to a sequential session at `session.size`. Checks `closed` and the
 * offset first; a body over `maxBytes` or with a wrong `content_hash` leaves the session as it was.
 */
export async function appendSequential(req: IncomingMessage, session: UploadSession, offset: number, options: { maxBytes: number; contentHash: string | undefined; wrap: Wrap; finishing: boolean }): Promise<number> {
  if (session.closed) {
    // A closed session takes no more data; only finish (with an empty body) may still use it.
    const body = await readBody(req, 0);
    const empty = body !== undefined && body.length === 0;
    if (!options.finishing || !empty) throw options.wrap(tag('closed'));
    if (offset !== session.size) throw options.wrap(tag('incorrect_offset', { correct_offset: session.size }));
    return 0;
  }
  if (offset !== session.size) throw options.wrap(tag('incorrect_offset', { correct_offset: session.size }));
  const hasher = session.hasher;
  // At a block boundary the session's hash takes over the request's block digests once the data
  // is accepted (one SHA-256 pass); otherwise it hashes the bytes itself as they arrive.
  const extendLater = hasher?.atBlockBoundary === true;
  let received;
  try {
    received = await receiveAppend(req, session.blob, session.size, options.maxBytes, hasher && !extendLater ? (c) => hasher.update(c) : undefined);
  } catch (error) {
    session.hasher = undefined;
    throw error;
  }
  const fail = async (failure: HttpFailure): Promise<never> => {
    session.hasher = undefined;
    await cutBack(session.blob, session.size);
    throw failure;
  };
  if (received.tooLarge) return fail(routeError(tag('payload_too_large')));
  if (session.size + received.bytes > MAX_SESSION_BYTES) return fail(options.wrap(tag('too_large')));
  if (options.contentHash !== undefined && options.contentHash !== received.contentHash) return fail(routeError(tag('content_hash_mismatch')));
  if (extendLater) session.hasher?.extend(received.hasher);
  if (received.bytes > 0) session.cachedHash = undefined;
  session.size += received.bytes;
  return received.bytes;
}

/** Stores one chunk of a concurrent session in its own file (so a bad retry cannot damage stored data). */
export async function appendConcurrent(req: IncomingMessage, session: UploadSession, offset: number, close: boolean, options: { maxBytes: number; contentHash: string | undefined }): Promise<void> {
  if (session.closed) {
    await readBody(req, 0);
    throw routeError(tag('closed'));
  }
  if (offset % CONCURRENT_CHUNK !== 0) {
    await readBody(req, 0);
    throw routeError(tag('concurrent_session_invalid_offset'));
  }
  const path = `${chunkPath(session, offset)}.incoming`;
  const received = await receiveAppend(req, path, 0, options.maxBytes).catch((error: unknown) => {
    removeQuietly(path);
    throw error;
  });
  const reject = (failure: HttpFailure): never => {
    removeQuietly(path);
    throw failure;
  };
  if (received.tooLarge) reject(routeError(tag('payload_too_large')));
  if (!close && received.bytes % CONCURRENT_CHUNK !== 0) reject(routeError(tag('concurrent_session_invalid_data_size')));
  if (offset + received.bytes > MAX_SESSION_BYTES) reject(routeError(tag('too_large')));
  if (options.contentHash !== undefined && options.contentHash !== received.contentHash) reject(routeError(tag('content_hash_mismatch')));
  await rename(path, chunkPath(session, offset));
  session.chunks.set(offset, received.bytes);
  session.size = Math.max(session.size, offset + received.bytes);
  session.cachedHash = undefined;
  if (close) {
    session.closed = true;
    session.closeEnd = offset + received.bytes;
  }
}

/**
 * Makes a closed concurrent session's data one contiguous file (once). Returns false when chunks
 * are missing or overlap the closing chunk's end.
 */
export async function assembleConcurrent(session: UploadSession): Promise<boolean> {
  if (session.cachedHash !== undefined && session.chunks.size === 0) return true;
  const end = session.closeEnd ?? 0;
  const offsets = [...session.chunks.keys()].sort((a, b) => a - b);
  let expected = 0;
  for (const offset of offsets) {
    if (offset !== expected) return false;
    expected += session.chunks.get(offset)!;
  }
  if (expected !== end) return false;
  session.cachedHash = await concatenate(offsets.map((o) => chunkPath(session, o)), session.blob);
  for (const o of offsets) removeQuietly(chunkPath(session, o));
  session.chunks.clear();
  session.size = end;
  return true;
}

/** Content hash of a sequential session's data: the running hash if intact, else read from disk. */
export async function sessionHash(session: UploadSession): Promise<string> {
  if (session.cachedHash !== undefined) return session.cachedHash;
  if (session.hasher) {
    session.cachedHash = session.hasher.digest();
    session.hasher = undefined;
    return session.cachedHash;
  }
  session.cachedHash = await hashFile(session.blob);
  return session.cachedHash;
}

export function removeSessionFiles(session: UploadSession): void {
  for (const offset of session.chunks.keys()) removeQuietly(chunkPath(session, offset));
}
