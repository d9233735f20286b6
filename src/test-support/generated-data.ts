import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ContentHasher } from '../core/content-hash.ts';

/**
 * Deterministic, incompressible test data of any size, produced chunk by chunk so tests and
 * benchmarks can move tens of MiB without holding them in memory, and verified by hashing the
 * stream that comes back rather than comparing buffers.
 */
export interface GeneratedDataOptions {
  /** Same seed and size give the same bytes. Default 1. */
  seed?: number;
  /** Bytes per chunk, rounded up to a multiple of 4. Default 64 KiB. */
  chunkSize?: number;
  /** After this many bytes were read, the stream fails with `error` (a source dying midway). */
  failAfter?: number;
  /** The error `failAfter` fails with. Default: an `Error` saying the source broke. */
  error?: Error;
  /** After this many bytes were read, the stream neither ends nor sends more (a stalled source). */
  stallAfter?: number;
  /** Called once when the stream stalls; e.g. to fire an AbortController at that moment. */
  onStall?: () => void;
}

const DEFAULT_CHUNK = 64 * 1024;

/** A readable of `size` pseudo-random bytes (xorshift32), see `GeneratedDataOptions`. */
export function generatedData(size: number, options: GeneratedDataOptions = {}): Readable {
  const chunkSize = Math.ceil((options.chunkSize ?? DEFAULT_CHUNK) / 4) * 4;
  const next = xorshift32(options.seed ?? 1);
  const failAfter = options.failAfter ?? Infinity;
  const stallAfter = options.stallAfter ?? Infinity;
  let emitted = 0;
  let stalled = false;
  return new Readable({
    read() {
      if (emitted >= failAfter) {
        this.destroy(options.error ?? new Error(`The generated source broke after ${emitted} bytes (on purpose).`));
        return;
      }
      if (emitted >= stallAfter) {
        if (!stalled) options.onStall?.();
        stalled = true;
        return;
      }
      if (emitted >= size) {
        this.push(null);
        return;
      }
      // Cut chunks at failAfter/stallAfter so exactly that many bytes get out before it happens.
      const length = Math.min(chunkSize, size - emitted, failAfter - emitted, stallAfter - emitted);
      this.push(fill(next, length));
      emitted += length;
    },
  });
}

/**
 * The bytes `generatedData(size, { seed })` streams, as one buffer: only for small sizes (tests
 * that slice expected bytes, e.g. reads from an offset). They are also the first `size` bytes of
 * any longer generated stream with the same seed, whatever its chunk size.
 */
export function generatedBytes(size: number, seed = 1): Buffer {
  return fill(xorshift32(seed), size);
}

export interface StreamDigest {
  bytes: number;
  sha256: string;
  /** Dropbox content hash (`core/content-hash.ts`). */
  contentHash: string;
}

/** Reads a stream to its end, returning its byte count, SHA-256 and Dropbox content hash. */
export async function digestStream(stream: AsyncIterable<Uint8Array>): Promise<StreamDigest> {
  const sha256 = createHash('sha256');
  const contentHash = new ContentHasher();
  let bytes = 0;
  for await (const chunk of stream) {
    sha256.update(chunk);
    contentHash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: sha256.digest('hex'), contentHash: contentHash.digest() };
}

/** The digest of `generatedData(size, { seed })`, computed by generating it again. */
export function generatedDataDigest(size: number, seed = 1): Promise<StreamDigest> {
  return digestStream(generatedData(size, { seed }));
}

/** Deterministic 32-bit pseudo-random numbers (xorshift32) from `seed`, so a failure can be replayed. */
export function xorshift32(seed: number): () => number {
  // xorshift32 must never be in the all-zero state.
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

function fill(next: () => number, length: number): Buffer {
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  return Buffer.from(words.buffer, 0, length);
}
