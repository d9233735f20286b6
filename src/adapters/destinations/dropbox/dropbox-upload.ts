import type { Readable } from 'node:stream';
import type { files } from 'dropbox';
import { DBackupError, cancelledError, isDBackupError, throwIfAborted } from '../../../core/errors.ts';
import { contentHashOf } from '../../../core/content-hash.ts';
import type { WriteOptions } from '../../../ports/destination.port.ts';
import { ChunkReader, type Chunk } from './dropbox-chunks.ts';
import type { DropboxContext } from './dropbox-context.ts';
import { correctOffsetOf, isNetworkFailure } from './dropbox.errors.ts';
import { RetryNow } from './dropbox-retry.ts';
import { deleteCommitted, findCommitted, type Expected } from './dropbox-files.ts';

const EMPTY_HASH = contentHashOf(new Uint8Array(0));
const EMPTY_FINAL: Chunk = { bytes: Buffer.alloc(0), final: true, hash: EMPTY_HASH };

/** A backup key is unique; writing it again means replacing it. */
const commitInfo = (path: string): files.CommitInfo => ({ path, mode: { '.tag': 'overwrite' }, autorename: false, mute: true });

/**
 * Uploads `source` to `path` and returns the committed metadata.
 *
 * A source that ends within one chunk (and within `simpleUploadMaxBytes`) goes up in one
 * `files/upload`; anything else through an upload session: start (first chunk), append_v2, finish
 * (last chunk). Only two chunk buffers exist, so a failed request can be resent from memory and
 * nothing else is held. Every request carries the content hash of its bytes; the committed file's
 * hash must equal the locally computed hash of the whole stream, else the file is deleted and
 * `integrity` thrown. Nothing is visible before the final commit. Refuses a declared size above
 * `maxFileBytes` before reading, and stops a stream that grows past it (`too_large`). On any
 * failure the source is destroyed.
 */
export async function uploadFile(context: DropboxContext, path: string, source: Readable, options: WriteOptions = {}): Promise<files.FileMetadata> {
  const { signal, size } = options;
  const { chunkSize, simpleUploadMaxBytes, maxFileBytes } = context.settings;
  try {
    if (size !== undefined && size > maxFileBytes) throw tooLarge(size, maxFileBytes, false);
    throwIfAborted(signal);
    const reader = new ChunkReader(source, chunkSize, options.blockDigests);
    const read = async (): Promise<Chunk> => {
      let chunk: Chunk;
      try {
        chunk = await untilAborted(reader.next(), signal);
      } catch (error) {
        throw isDBackupError(error)
          ? error
          : new DBackupError('internal', 'Reading the backup data failed; nothing was stored in Dropbox.', { cause: error, retryable: false });
      }
      checkLength(reader.bytesRead, chunk.final, size, maxFileBytes);
      return chunk;
    };
    const progress = (bytes: number): void => options.onProgress?.(bytes);

    const first = await read();
    const metadata =
      first.final && first.bytes.length <= simpleUploadMaxBytes
        ? await simpleUpload(context, path, first, signal)
        : await sessionUpload(context, path, first, read, () => ({ hash: reader.fileHash(), size: reader.bytesRead }), progress, signal);
    progress(reader.bytesRead);
    await verifyCommitted(context, path, metadata, { hash: reader.fileHash(), size: reader.bytesRead });
    return metadata;
  } catch (error) {
    source.destroy();
    throw error;
  }
}

function tooLarge(bytes: number, limit: number, streaming: boolean): DBackupError {
  const gb = (value: number): string => `${Number((value / 1e9).toFixed(1))} GB (${value.toLocaleString('en-US')} bytes)`;
  const what = streaming
    ? `The backup grew past ${gb(limit)}, the most Dropbox accepts per file, so the upload was stopped.`
    : `This backup is ${gb(bytes)}, but Dropbox accepts at most ${gb(limit)} per file.`;
  return new DBackupError(
    'too_large',
    `${what} Nothing was stored; use a local destination for this job or make the backup smaller.`,
    { retryable: false, details: { size: bytes, limit } },
  );
}

function checkLength(bytesRead: number, final: boolean, declared: number | undefined, limit: number): void {
  if (bytesRead > limit) throw tooLarge(bytesRead, limit, true);
  if (declared === undefined) return;
  if (bytesRead > declared || (final && bytesRead !== declared)) {
    throw new DBackupError(
      'integrity',
      `The backup data ${bytesRead > declared ? 'exceeded' : 'fell short of'} its announced size of ${declared} bytes (${bytesRead} read); nothing was stored in Dropbox.`,
      { retryable: false, details: { declared, read: bytesRead } },
    );
  }
}

async function simpleUpload(context: DropboxContext, path: string, chunk: Chunk, signal: AbortSignal | undefined): Promise<files.FileMetadata> {
  return context.retrier.run({ operation: 'files/upload', path, signal }, async () => {
    const response = await context.client.filesUpload(
      { ...commitInfo(path), content_hash: chunk.hash, contents: requestBody(chunk.bytes) },
      requestOptions(chunk.bytes, signal),
    );
    return response.result;
  });
}

async function sessionUpload(
  context: DropboxContext,
  path: string,
  first: Chunk,
  read: () => Promise<Chunk>,
  expected: () => Expected,
  progress: (bytes: number) => void,
  signal: AbortSignal | undefined,
): Promise<files.FileMetadata> {
  // While one chunk is on the wire the next is read into the reader's other buffer.
  let upcoming = first.final ? undefined : quiet(read());
  const sessionId = await context.retrier.run({ operation: 'files/upload_session/start', path, signal, session: true }, async () => {
    const response = await context.client.filesUploadSessionStart(
      { close: false, ...(first.bytes.length > 0 ? { content_hash: first.hash } : {}), contents: requestBody(first.bytes) },
      requestOptions(first.bytes, signal),
    );
    return response.result.session_id;
  });
  let offset = first.bytes.length;
  progress(offset);
  let next = upcoming === undefined ? EMPTY_FINAL : await upcoming;
  while (!next.final) {
    const chunk = next;
    upcoming = quiet(read());
    await append(context, path, sessionId, offset, chunk, signal);
    offset += chunk.bytes.length;
    progress(offset);
    next = await upcoming;
  }
  return finish(context, path, sessionId, offset, next, expected, signal);
}

/**
 * The request body for `bytes` without a copy. Node's fetch copies a Uint8Array body twice (the
 * Fetch standard's "copy of the bytes" plus its stream), which for 8-16 MiB chunks means tens of
 * MiB of garbage per request; a stream of a view is written to the socket as is. A new stream per
 * attempt, so a retry resends the same buffer. Empty bodies stay plain.
 */
function requestBody(bytes: Buffer): Uint8Array | ReadableStream<Uint8Array> {
  if (bytes.length === 0) return bytes;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** With a stream body fetch would fall back to chunked encoding; the length is known, so say it. */
function requestOptions(bytes: Buffer, signal: AbortSignal | undefined): { signal?: AbortSignal; extraHeaders?: Record<string, string> } {
  return bytes.length === 0 ? { signal } : { signal, extraHeaders: { 'Content-Length': String(bytes.length) } };
}

/** `promise`, or `cancelled` as soon as `signal` fires (a stalled source must not block a cancel). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  quiet(promise);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError(signal.reason));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Lets a read run ahead without an unhandled rejection if the upload fails first. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The part of `chunk` still to send when Dropbox reports holding `correct` bytes. */
function remainder(chunk: Chunk, offset: number, correct: number): { offset: number; bytes: Buffer; hash: string } | undefined {
  if (correct < offset || correct >= offset + chunk.bytes.length) return undefined;
  const bytes = chunk.bytes.subarray(correct - offset);
  return { offset: correct, bytes, hash: correct === offset ? chunk.hash : contentHashOf(bytes) };
}

function offsetLost(correct: number, expected: number, cause: unknown): DBackupError {
  return new DBackupError(
    'transient',
    `Dropbox holds ${correct} bytes of the upload session where DBackup expected ${expected}; the session cannot be resumed. Run the backup again.`,
    { cause, retryable: true },
  );
}

async function append(context: DropboxContext, path: string, sessionId: string, offset: number, chunk: Chunk, signal: AbortSignal | undefined): Promise<void> {
  const end = offset + chunk.bytes.length;
  let part = { offset, bytes: chunk.bytes, hash: chunk.hash };
  await context.retrier.run({ operation: 'files/upload_session/append_v2', path, signal, session: true }, async () => {
    try {
      await context.client.filesUploadSessionAppendV2(
        { cursor: { session_id: sessionId, offset: part.offset }, close: false, content_hash: part.hash, contents: requestBody(part.bytes) },
        requestOptions(part.bytes, signal),
      );
    } catch (error) {
      const correct = correctOffsetOf(error);
      if (correct === undefined) throw error;
      // An earlier attempt landed but its answer was lost: the chunk is (partly) there already.
      context.logger?.warn(`Dropbox already holds ${correct} bytes of the upload session (an earlier answer was lost); continuing from there.`, {
        operation: 'files/upload_session/append_v2',
        reconciled: 'correct_offset',
      });
      if (correct === end) return;
      const rest = remainder(chunk, offset, correct);
      if (rest === undefined) throw offsetLost(correct, part.offset, error);
      part = rest;
      throw new RetryNow(`continuing append at offset ${correct}`);
    }
  });
}

async function finish(
  context: DropboxContext,
  path: string,
  sessionId: string,
  offset: number,
  last: Chunk,
  expected: () => Expected,
  signal: AbortSignal | undefined,
): Promise<files.FileMetadata> {
  const end = offset + last.bytes.length;
  let part = { offset, bytes: last.bytes, hash: last.hash };
  let maybeCommitted = false;
  try {
    return await context.retrier.run({ operation: 'files/upload_session/finish', path, signal, session: true }, async () => {
      try {
        const response = await context.client.filesUploadSessionFinish(
          {
            cursor: { session_id: sessionId, offset: part.offset },
            commit: commitInfo(path),
            ...(part.bytes.length > 0 ? { content_hash: part.hash } : {}),
            contents: requestBody(part.bytes),
          },
          requestOptions(part.bytes, signal),
        );
        return response.result;
      } catch (error) {
        const unanswered = isNetworkFailure(error) || signal?.aborted === true;
        if (unanswered) maybeCommitted = true;
        const correct = correctOffsetOf(error);
        if (correct !== undefined) {
          // The body was appended but not committed (or partly appended): commit the rest.
          const rest = correct === end ? { offset: end, bytes: EMPTY_FINAL.bytes, hash: EMPTY_HASH } : remainder(last, offset, correct);
          if (rest !== undefined && rest.offset !== part.offset) {
            part = rest;
            throw new RetryNow(`continuing finish at offset ${correct}`);
          }
        }
        // A finish whose answer was lost may have committed; a retry then finds the session gone.
        if (!unanswered && maybeCommitted) {
          const committed = await findCommitted(context, path, expected(), signal);
          if (committed !== undefined) {
            context.logger?.warn(`The answer to committing ${path} was lost, but Dropbox holds the complete file.`, {
              operation: 'files/upload_session/finish',
              reconciled: 'committed',
            });
            return committed;
          }
        }
        throw error;
      }
    });
  } catch (error) {
    if (maybeCommitted && isDBackupError(error, 'cancelled')) await deleteCommitted(context, path, expected());
    throw error;
  }
}

async function verifyCommitted(context: DropboxContext, path: string, metadata: files.FileMetadata, expected: Expected): Promise<void> {
  if (metadata.content_hash === expected.hash && metadata.size === expected.size) return;
  // Delete exactly the revision this upload committed (its reported hash is the suspect part).
  await deleteCommitted(context, path, { rev: metadata.rev });
  throw new DBackupError(
    'integrity',
    `Dropbox stored different content than DBackup sent for ${path} (content hash or size mismatch); the file was deleted. Run the backup again.`,
    { retryable: true, details: { expectedHash: expected.hash, storedHash: metadata.content_hash, expectedSize: expected.size, storedSize: metadata.size } },
  );
}
