import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CONTENT_HASH_BLOCK_SIZE } from '../../../core/content-hash.ts';
import { chunksOf } from '../../../core/stream-chunks.ts';
import type { BlockDigests } from '../../../ports/destination.port.ts';

/** One piece of the source, read into a reused buffer. */
export interface Chunk {
  /** A view into one of the reader's two buffers; valid until the reader reuses that buffer. */
  bytes: Buffer;
  /** The source ended inside (or right before) this chunk: nothing follows. */
  final: boolean;
  /** Dropbox content hash of exactly these bytes (the per-request `content_hash`). */
  hash: string;
}

/**
 * Cuts a stream into chunks of `chunkSize` bytes using exactly two buffers, alternately: the
 * caller sends one while the next is being read. Memory is therefore bounded by 2 × chunkSize
 * whatever the stream's length. A chunk's buffer is reused two `next()` calls later, so the
 * caller must be done with a chunk (its request answered) before asking for the one after next.
 *
 * While reading it also hashes: `chunkSize` is a multiple of 4 MiB, so each chunk's 4 MiB blocks
 * are the whole file's blocks, and their digests yield both the per-request hash and the file's
 * Dropbox content hash (`fileHash()`). A block whose digest `blockDigests` already knows (the
 * backup pipeline hashed it upstream) is not hashed again. The hashing stays synchronous on
 * purpose: hashing the blocks on another thread (`AsyncContentHasher`) was measured to save
 * event-loop time but no upload time (uploads wait on the network, not on the event loop) while
 * costing more CPU and memory.
 */
export class ChunkReader {
  readonly #iterator: AsyncIterator<Buffer>;
  readonly #chunkSize: number;
  readonly #blockDigests: BlockDigests | undefined;
  readonly #buffers: [Buffer | undefined, Buffer | undefined] = [undefined, undefined];
  readonly #fileHash: Hash = createHash('sha256');
  #fileDigest: string | undefined;
  #turn: 0 | 1 = 0;
  #pending: Buffer | undefined;
  #ended = false;
  #bytesRead = 0;

  constructor(source: Readable, chunkSize: number, blockDigests?: BlockDigests) {
    if (chunkSize <= 0 || chunkSize % CONTENT_HASH_BLOCK_SIZE !== 0) {
      throw new RangeError(`chunkSize must be a positive multiple of ${CONTENT_HASH_BLOCK_SIZE}`);
    }
    this.#iterator = chunksOf(source);
    this.#chunkSize = chunkSize;
    this.#blockDigests = blockDigests;
  }

  /** Total bytes handed out so far. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  async next(): Promise<Chunk> {
    const turn = this.#turn;
    this.#turn = turn === 0 ? 1 : 0;
    const buffer = (this.#buffers[turn] ??= Buffer.allocUnsafe(this.#chunkSize));
    let fill = 0;
    while (fill < this.#chunkSize) {
      if (this.#pending === undefined) {
        if (this.#ended) break;
        const step = await this.#iterator.next();
        if (step.done) {
          this.#ended = true;
          break;
        }
        if (step.value.length > 0) this.#pending = step.value;
        continue;
      }
      const copied = this.#pending.copy(buffer, fill);
      fill += copied;
      this.#pending = copied < this.#pending.length ? this.#pending.subarray(copied) : undefined;
    }
    const bytes = buffer.subarray(0, fill);
    const hash = this.#hashChunk(bytes, this.#bytesRead / CONTENT_HASH_BLOCK_SIZE);
    this.#bytesRead += fill;
    return { bytes, final: this.#ended && this.#pending === undefined, hash };
  }

  /** The whole stream's Dropbox content hash; call after the final chunk (later reads are an error). */
  fileHash(): string {
    this.#fileDigest ??= this.#fileHash.digest('hex');
    return this.#fileDigest;
  }

  /** `firstBlock`: the index of the chunk's first 4 MiB block in the whole stream. */
  #hashChunk(bytes: Buffer, firstBlock: number): string {
    const request = createHash('sha256');
    for (let start = 0, block = firstBlock; start < bytes.length; start += CONTENT_HASH_BLOCK_SIZE, block++) {
      const digest = this.#blockDigests?.digest(block) ?? createHash('sha256').update(bytes.subarray(start, start + CONTENT_HASH_BLOCK_SIZE)).digest();
      request.update(digest);
      this.#fileHash.update(digest);
    }
    return request.digest('hex');
  }
}
