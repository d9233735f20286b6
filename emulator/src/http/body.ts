import type { IncomingMessage } from 'node:http';
import { open, type FileHandle } from 'node:fs/promises';
import { ContentHasher } from '../../../src/core/content-hash.ts';

/** The client went away while sending the body: nothing can be answered any more. */
export class ClientGoneError extends Error {}

/** Resolves once the request body has been fully consumed (or the request is gone). */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  await new Promise<void>((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}

/** True when the request announces or carries a body. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads a (small) request body into memory; returns undefined when it exceeds `limit` (body drained). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

export interface ReceivedBody {
  /** Bytes in the request body (all of them, even when `tooLarge`). */
  bytes: number;
  /** Dropbox content hash of the written bytes (undefined when `tooLarge`). */
  contentHash: string | undefined;
  /** The hasher behind `contentHash` (with its block digests), so a session can `extend` with it. */
  hasher: ContentHasher;
  /** The body exceeded `maxBytes`; nothing beyond the limit was written and the rest was drained. */
  tooLarge: boolean;
}

/**
 * Streams the request body into `filePath` at `position` (the file must exist unless
 * `create`), hashing as it goes, with bounded memory. Rejects with ClientGoneError when the client
 * aborts; the caller then discards or truncates what was written.
 */
export async function receiveToFile(
  req: IncomingMessage,
  filePath: string,
  options: { position: number; create: boolean; maxBytes: number; onChunk?: (chunk: Buffer) => void },
): Promise<ReceivedBody> {
  const handle = await open(filePath, options.create ? 'w' : 'r+');
  const hasher = new ContentHasher({ keepBlockDigests: true });
  const batch = new WriteBatch(handle, options.position);
  let bytes = 0;
  let tooLarge = false;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (tooLarge) continue;
      if (bytes > options.maxBytes) {
        tooLarge = true;
        continue;
      }
      hasher.update(chunk);
      options.onChunk?.(chunk);
      await batch.add(chunk);
    }
    await batch.flush();
    if (!req.complete) throw new ClientGoneError('request body aborted by the client');
  } catch (error) {
    if (!req.complete && !(error instanceof ClientGoneError)) throw new ClientGoneError('request body aborted by the client', { cause: error });
    throw error;
  } finally {
    await handle.close();
  }
  return { bytes, contentHash: tooLarge ? undefined : hasher.digest(), hasher, tooLarge };
}

/** Body pieces are written in one `writev` per this many bytes rather than one write per socket read. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** Collects body pieces and writes them to `handle` in batches, at consecutive positions. */
class WriteBatch {
  readonly #handle: FileHandle;
  #position: number;
  #pieces: Buffer[] = [];
  #bytes = 0;

  constructor(handle: FileHandle, position: number) {
    this.#handle = handle;
    this.#position = position;
  }

  async add(piece: Buffer): Promise<void> {
    this.#pieces.push(piece);
    this.#bytes += piece.length;
    if (this.#bytes >= WRITE_BATCH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    let pieces = this.#pieces;
    this.#pieces = [];
    this.#bytes = 0;
    while (pieces.length > 0) {
      const { bytesWritten } = await this.#handle.writev(pieces, this.#position);
      this.#position += bytesWritten;
      pieces = remainingAfter(pieces, bytesWritten);
    }
  }
}

/** What is left of `pieces` once their first `written` bytes are on disk (a short write is possible). */
function remainingAfter(pieces: Buffer[], written: number): Buffer[] {
  let skip = written;
  let index = 0;
  while (index < pieces.length && skip >= pieces[index]!.length) skip -= pieces[index++]!.length;
  const rest = pieces.slice(index);
  if (rest.length > 0 && skip > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
