import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Dropbox hashes content in blocks of this many bytes (see docs/architecture.md). */
export const CONTENT_HASH_BLOCK_SIZE = 4 * 1024 * 1024;

/**
 * Incremental Dropbox content hash: SHA-256 of the concatenated SHA-256 digests of each 4 MiB
 * block. We keep our own because the SDK's CommonJS build of its hasher fails to load its
 * `crypto` import under Node 24 (`_crypto.default` is undefined).
 */
export class ContentHasher {
  #overall: Hash = createHash('sha256');
  #block: Hash = createHash('sha256');
  #blockFill = 0;
  #finished = false;

  update(data: Uint8Array): this {
    if (this.#finished) throw new Error('ContentHasher.update called after digest');
    let position = 0;
    while (position < data.length) {
      if (this.#blockFill === CONTENT_HASH_BLOCK_SIZE) this.#finishBlock();
      const take = Math.min(CONTENT_HASH_BLOCK_SIZE - this.#blockFill, data.length - position);
      this.#block.update(data.subarray(position, position + take));
      this.#blockFill += take;
      position += take;
    }
    return this;
  }

  /** Lowercase hex digest; the hasher cannot be used afterwards. */
  digest(): string {
    if (this.#finished) throw new Error('ContentHasher.digest called twice');
    if (this.#blockFill > 0) this.#finishBlock();
    this.#finished = true;
    return this.#overall.digest('hex');
  }

  #finishBlock(): void {
    this.#overall.update(this.#block.digest());
    this.#block = createHash('sha256');
    this.#blockFill = 0;
  }
}

export function contentHashOf(data: Uint8Array): string {
  return new ContentHasher().update(data).digest();
}

/**
 * A pass-through stream that hashes what flows through it (Dropbox content hash and SHA-256)
 * and counts bytes. Read `result` after the stream has finished.
 */
export class HashingPassThrough extends Transform {
  readonly #contentHasher = new ContentHasher();
  readonly #sha256 = createHash('sha256');
  #bytes = 0;
  #result: { contentHash: string; sha256: string; bytes: number } | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#contentHasher.update(chunk);
    this.#sha256.update(chunk);
    this.#bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#result = { contentHash: this.#contentHasher.digest(), sha256: this.#sha256.digest('hex'), bytes: this.#bytes };
    callback();
  }

  get result(): { contentHash: string; sha256: string; bytes: number } {
    if (!this.#result) throw new Error('HashingPassThrough.result read before the stream finished');
    return this.#result;
  }
}
