import { createReadStream } from 'node:fs';
import { open, truncate, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { ContentHasher } from '../../../src/core/content-hash.ts';
import { ClientGoneError, receiveToFile, type ReceivedBody } from '../http/body.ts';

/** Dropbox content hash of a file on disk, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hasher = new ContentHasher();
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) hasher.update(chunk);
  return hasher.digest();
}

/**
 * Writes `sources` (in order) into `target`, hashing on the way; returns the content hash.
 * Used to assemble the chunks of a concurrent upload session.
 */
export async function concatenate(sources: string[], target: string): Promise<string> {
  const hasher = new ContentHasher();
  const handle = await open(target, 'w');
  try {
    for (const source of sources) {
      for await (const chunk of createReadStream(source, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
        hasher.update(chunk);
        await handle.write(chunk);
      }
    }
  } finally {
    await handle.close();
  }
  return hasher.digest();
}

export function removeQuietly(path: string): void {
  unlink(path).catch(() => undefined);
}

/**
 * Receives a request body into `path` at `position`. On any failure (client gone, body too
 * large, write error) the file is cut back to `position` so no partial data counts; a
 * ClientGoneError is rethrown for the dispatcher to drop the connection.
 */
export async function receiveAppend(req: IncomingMessage, path: string, position: number, maxBytes: number, onChunk?: (chunk: Buffer) => void): Promise<ReceivedBody> {
  try {
    const received = await receiveToFile(req, path, { position, create: position === 0, maxBytes, ...(onChunk ? { onChunk } : {}) });
    if (received.tooLarge) await truncate(path, position);
    return received;
  } catch (error) {
    await truncate(path, position).catch(() => undefined);
    if (error instanceof ClientGoneError) throw error;
    throw error;
  }
}

export async function cutBack(path: string, size: number): Promise<void> {
  await truncate(path, size).catch(() => undefined);
}
