import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { cancelledError } from '../../../core/errors.ts';
import { localFsError, type LocalFailureContext } from './local-errors.ts';

const CHUNK_BYTES = 256 * 1024;

export interface FileReadableOptions {
  offset: number;
  signal?: AbortSignal;
  onProgress?: (bytesReceived: number) => void;
}

/**
 * A readable over an open file from `offset`, which owns `handle` and closes it when the stream
 * ends, fails or is destroyed. Read errors arrive mapped by `localFsError`; when the signal fires
 * the stream is destroyed with `cancelled`. At most one chunk is read ahead of the consumer.
 */
export function fileReadable(handle: FileHandle, options: FileReadableOptions, context: LocalFailureContext): Readable {
  const { signal, onProgress } = options;
  let closing: Promise<void> | undefined;
  const closeHandle = (): Promise<void> => (closing ??= handle.close().catch(() => undefined));
  async function* chunks(): AsyncGenerator<Buffer> {
    let position = options.offset;
    let received = 0;
    try {
      for (;;) {
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
        if (bytesRead === 0) return;
        position += bytesRead;
        received += bytesRead;
        onProgress?.(received);
        yield buffer.subarray(0, bytesRead);
      }
    } catch (error) {
      throw localFsError(error, context);
    } finally {
      await closeHandle();
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK_BYTES });
  // A stream destroyed before its first read never runs the generator's `finally`.
  stream.once('close', () => void closeHandle());
  if (signal) {
    const onAbort = (): void => {
      stream.destroy(cancelledError(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', onAbort));
    if (signal.aborted) onAbort();
  }
  return stream;
}
