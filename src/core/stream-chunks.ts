import { finished, type Readable } from 'node:stream';

/**
 * The chunks of `stream` as its producer pushed them (the same Buffers, never copies), with
 * backpressure: the stream is paused while a chunk waits to be taken.
 *
 * Why not `for await (const chunk of stream)`: a Readable's own async iterator reads in paused
 * mode, where `read()` hands out everything buffered at once, concatenated into a new Buffer
 * whenever more than one chunk waits (a 1 MiB ciphertext chunk and its 16-byte tag, say): a copy
 * of those bytes, and garbage for V8 to collect. Here the stream flows and is paused after each
 * chunk, and a flowing stream emits its buffered chunks one at a time.
 *
 * Strings (a stream with an encoding) come out as UTF-8 Buffers. Ends when the stream ends;
 * throws its error, or ERR_STREAM_PREMATURE_CLOSE when it is destroyed before its end. Leaving
 * the loop early destroys the stream, as the built-in iterator does.
 */
export async function* chunksOf(stream: Readable): AsyncGenerator<Buffer, void, undefined> {
  const waiting: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onData = (chunk: unknown): void => {
    waiting.push(asBuffer(chunk));
    stream.pause();
    wake?.();
  };
  const stopWatching = finished(stream, { readable: true, writable: false }, (error) => {
    ended = true;
    failure = error ?? undefined;
    wake?.();
  });
  stream.on('data', onData);
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const chunk = waiting.shift();
      if (chunk !== undefined) {
        yield chunk;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        stream.resume();
      });
      wake = undefined;
    }
  } finally {
    stream.off('data', onData);
    stopWatching();
    if (!ended) stream.destroy();
  }
}

function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('The stream must produce bytes (Buffer, Uint8Array or string chunks).');
}
