import { Readable, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Small seeded PRNG (mulberry32) so "random" write sizes are reproducible from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic, incompressible-looking bytes. */
export function patternBytes(length: number, seed = 1): Buffer {
  const random = seededRandom(seed);
  const bytes = Buffer.allocUnsafe(length);
  let i = 0;
  for (; i + 4 <= length; i += 4) bytes.writeUInt32LE(Math.floor(random() * 4294967296), i);
  for (; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

export interface RunOptions {
  /** Cuts the input into pieces of random size up to `maxPiece`; otherwise one write. */
  random?: () => number;
  maxPiece?: number;
}

function* pieces(data: Buffer, options: RunOptions): Generator<Buffer> {
  if (!options.random) {
    if (data.length > 0) yield data;
    return;
  }
  const maxPiece = options.maxPiece ?? 100_000;
  let position = 0;
  while (position < data.length) {
    // Skew towards small pieces, with the occasional large one.
    const size = 1 + Math.floor(options.random() ** 3 * maxPiece);
    yield data.subarray(position, position + size);
    position += size;
  }
}

/**
 * Pipes `data` through `transform` and returns everything it emitted, plus the error it failed
 * with (if any). Output collected before an error is kept, so tests can check what leaked.
 */
export async function runThrough(transform: Duplex, data: Buffer, options: RunOptions = {}): Promise<{ output: Buffer; error: unknown }> {
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(Buffer.from(chunk));
      callback();
    },
  });
  let error: unknown;
  try {
    await pipeline(Readable.from(pieces(data, options)), transform, sink);
  } catch (caught) {
    error = caught;
  }
  return { output: Buffer.concat(received), error };
}

/** Like `runThrough` but throws the stream's error. */
export async function transformAll(transform: Duplex, data: Buffer, options: RunOptions = {}): Promise<Buffer> {
  const { output, error } = await runThrough(transform, data, options);
  if (error !== undefined) throw error;
  return output;
}
