import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { BlockDigests } from '../ports/destination.port.ts';
import { hashSharedBlock } from './block-hash-worker.ts';

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
  #blocksDone = 0;
  #finished = false;
  /** Digests of the finished blocks, kept only when asked for (see `extend`). */
  readonly #blockDigests: Buffer[] | undefined;
  readonly #onBlockDigest: ((index: number, digest: Buffer) => void) | undefined;

  /**
   * `keepBlockDigests`: remember each block's digest so another hasher can `extend` with this one.
   * `onBlockDigest`: told each block's digest as soon as the block's last byte has been hashed (a
   * shorter last block's at `digest()`); not told blocks taken over by `extend`.
   */
  constructor(options: { keepBlockDigests?: boolean; onBlockDigest?: (index: number, digest: Buffer) => void } = {}) {
    this.#blockDigests = options.keepBlockDigests === true ? [] : undefined;
    this.#onBlockDigest = options.onBlockDigest;
  }

  update(data: Uint8Array): this {
    if (this.#finished) throw new Error('ContentHasher.update called after digest');
    let position = 0;
    while (position < data.length) {
      const take = Math.min(CONTENT_HASH_BLOCK_SIZE - this.#blockFill, data.length - position);
      this.#block.update(data.subarray(position, position + take));
      this.#blockFill += take;
      position += take;
      // At once, not on the next update: a reader downstream may be waiting for this digest.
      if (this.#blockFill === CONTENT_HASH_BLOCK_SIZE) this.#finishBlock();
    }
    return this;
  }

  /** True when everything hashed so far is whole 4 MiB blocks, so `extend` may be called. */
  get atBlockBoundary(): boolean {
    return this.#blockFill === 0;
  }

  /**
   * Continues this hash with every byte `other` has hashed, as if they had been passed to `update`,
   * without hashing them again: `other`'s block digests are taken over and its unfinished block is
   * copied. Only possible at a block boundary (`atBlockBoundary`) and when `other` was created
   * with `keepBlockDigests`; `other` may already have been digested and is left unchanged.
   */
  extend(other: ContentHasher): this {
    if (this.#finished) throw new Error('ContentHasher.extend called after digest');
    if (!this.atBlockBoundary) throw new Error('ContentHasher.extend needs this hasher at a block boundary');
    if (other.#blockDigests === undefined) throw new Error('ContentHasher.extend needs a hasher created with keepBlockDigests');
    for (const digest of other.#blockDigests) this.#addBlockDigest(digest);
    if (other.#blockFill > 0) {
      this.#block = other.#block.copy();
      this.#blockFill = other.#blockFill;
    }
    return this;
  }

  /** Lowercase hex digest; the hasher cannot be updated afterwards. */
  digest(): string {
    if (this.#finished) throw new Error('ContentHasher.digest called twice');
    this.#finished = true;
    // Copies, so that `extend` can still take over this hasher's state.
    const overall = this.#overall.copy();
    if (this.#blockFill > 0) {
      const last = this.#block.copy().digest();
      this.#onBlockDigest?.(this.#blocksDone, last);
      overall.update(last);
    }
    return overall.digest('hex');
  }

  #finishBlock(): void {
    const digest = this.#block.digest();
    this.#onBlockDigest?.(this.#blocksDone, digest);
    this.#addBlockDigest(digest);
    this.#block = createHash('sha256');
    this.#blockFill = 0;
  }

  #addBlockDigest(digest: Buffer): void {
    this.#overall.update(digest);
    this.#blockDigests?.push(digest);
    this.#blocksDone += 1;
  }
}

/**
 * The most recent `capacity` block digests of one stream, as its hasher reports them: what a
 * destination reading the same stream a little behind can take instead of hashing the blocks
 * again. Older digests are forgotten, so memory stays fixed whatever the stream's length; a reader
 * that falls further behind gets `undefined` and hashes for itself.
 */
export class RecentBlockDigests implements BlockDigests {
  readonly #slots: ({ index: number; digest: Uint8Array } | undefined)[];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.#slots = new Array<undefined>(capacity).fill(undefined);
  }

  record(index: number, digest: Uint8Array): void {
    this.#slots[index % this.#slots.length] = { index, digest };
  }

  digest(index: number): Uint8Array | undefined {
    const slot = this.#slots[index % this.#slots.length];
    return slot?.index === index ? slot.digest : undefined;
  }
}

/**
 * The same Dropbox content hash as `ContentHasher`, but each 4 MiB block's SHA-256 runs on a
 * worker thread (`hashSharedBlock`) while the caller keeps receiving; the block digests are
 * combined in order. Incoming bytes are copied into a ring of `maxInFlight + 1` reused 4 MiB
 * shared buffers (one filling, the others being hashed), so memory is fixed and nothing is
 * allocated per block. `update` returns a promise when every buffer is busy: await it before the
 * next call (and keep `data` unchanged until then); otherwise it returns nothing and the data may
 * be reused immediately. Calling `update` or `digest` while an `update` is pending, or after
 * `digest`, throws. A failed block digest rejects the pending `update` or `digest`.
 *
 * It pays where the event loop is the bottleneck (a fast download); where it is not (an upload
 * waiting on the network), the synchronous `ContentHasher` is cheaper: it costs no copy, no worker
 * and no shared buffers. Figures are in docs/architecture.md (Performance).
 */
export class AsyncContentHasher {
  readonly #maxInFlight: number;
  readonly #overall: Hash = createHash('sha256');
  /** Blocks submitted and not yet combined, oldest first; each entry settles when its digest is known. */
  readonly #inFlight: { buffer: SharedArrayBuffer; digest?: Uint8Array; error?: unknown; settled: Promise<void> }[] = [];
  /** Shared buffers not in flight; the one being filled is `#block`. */
  readonly #free: SharedArrayBuffer[] = [];
  #block: { shared: SharedArrayBuffer; view: Uint8Array } | undefined;
  #blockFill = 0;
  #waiting = false;
  #finished = false;

  constructor(options: { maxInFlight?: number } = {}) {
    const maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError('maxInFlight must be a positive integer');
    this.#maxInFlight = maxInFlight;
  }

  update(data: Uint8Array): Promise<void> | undefined {
    this.#checkUsable('update');
    const stopped = this.#feed(data, 0);
    return stopped < data.length ? this.#feedLater(data, stopped) : undefined;
  }

  /** Blocks on the worker whose digest has not been combined yet (at most `maxInFlight`). */
  get blocksInFlight(): number {
    return this.#inFlight.length;
  }

  /** Lowercase hex digest, once every block has been hashed; the hasher cannot be used afterwards. */
  async digest(): Promise<string> {
    this.#checkUsable('digest');
    this.#finished = true;
    if (this.#blockFill > 0) {
      while (this.#inFlight.length >= this.#maxInFlight) await this.#oldestSettled();
      this.#submit();
    }
    while (this.#inFlight.length > 0) await this.#oldestSettled();
    return this.#overall.digest('hex');
  }

  /** Copies `data` from `position` until done or every buffer is busy; returns where it stopped. */
  #feed(data: Uint8Array, position: number): number {
    while (position < data.length) {
      if (this.#blockFill === CONTENT_HASH_BLOCK_SIZE) {
        if (this.#inFlight.length >= this.#maxInFlight) return position;
        this.#submit();
      }
      const block = (this.#block ??= this.#takeBuffer());
      const take = Math.min(CONTENT_HASH_BLOCK_SIZE - this.#blockFill, data.length - position);
      block.view.set(data.subarray(position, position + take), this.#blockFill);
      this.#blockFill += take;
      position += take;
    }
    // A full block goes out at once when it may, so hashing starts before the next bytes arrive.
    if (this.#blockFill === CONTENT_HASH_BLOCK_SIZE && this.#inFlight.length < this.#maxInFlight) this.#submit();
    return position;
  }

  #takeBuffer(): { shared: SharedArrayBuffer; view: Uint8Array } {
    const shared = this.#free.pop() ?? new SharedArrayBuffer(CONTENT_HASH_BLOCK_SIZE);
    return { shared, view: new Uint8Array(shared) };
  }

  async #feedLater(data: Uint8Array, position: number): Promise<void> {
    this.#waiting = true;
    try {
      while (position < data.length) {
        await this.#oldestSettled();
        position = this.#feed(data, position);
      }
    } finally {
      this.#waiting = false;
    }
  }

  #submit(): void {
    const block = this.#block!;
    const length = this.#blockFill;
    this.#block = undefined;
    this.#blockFill = 0;
    const entry: { buffer: SharedArrayBuffer; digest?: Uint8Array; error?: unknown; settled: Promise<void> } = { buffer: block.shared, settled: Promise.resolve() };
    // Digests are combined as soon as they and all older ones are known, so a finished block never
    // holds up the caller; a failure is kept and thrown where the caller waits.
    entry.settled = hashSharedBlock(block.shared, length).then(
      (digest) => {
        entry.digest = digest;
        this.#combineFinished();
      },
      (error: unknown) => {
        entry.error = error ?? new Error('block digest failed');
      },
    );
    this.#inFlight.push(entry);
  }

  #combineFinished(): void {
    for (let oldest = this.#inFlight[0]; oldest?.digest !== undefined; oldest = this.#inFlight[0]) {
      this.#overall.update(oldest.digest);
      this.#inFlight.shift();
      this.#free.push(oldest.buffer);
    }
  }

  /** Waits until the oldest block's digest is known (and combined), or throws its failure. */
  async #oldestSettled(): Promise<void> {
    const oldest = this.#inFlight[0];
    if (oldest === undefined) return;
    await oldest.settled;
    if (oldest.error !== undefined) throw oldest.error;
  }

  #checkUsable(method: string): void {
    if (this.#finished) throw new Error(`AsyncContentHasher.${method} called after digest`);
    if (this.#waiting) throw new Error(`AsyncContentHasher.${method} called before the previous update settled`);
  }
}

export function contentHashOf(data: Uint8Array): string {
  return new ContentHasher().update(data).digest();
}

/**
 * A pass-through stream that counts what flows through it and computes its SHA-256 (what a
 * restore checks against the sidecar). Read `result` after the stream has finished.
 */
export class Sha256PassThrough extends Transform {
  readonly #sha256 = createHash('sha256');
  #bytes = 0;
  #result: { sha256: string; bytes: number } | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#sha256.update(chunk);
    this.#bytes += chunk.length;
    this.alsoHash(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#result = { sha256: this.#sha256.digest('hex'), bytes: this.#bytes };
    callback();
  }

  /** Subclasses see every chunk here, in order, to compute more digests in the same pass. */
  protected alsoHash(_chunk: Buffer): void {}

  get result(): { sha256: string; bytes: number } {
    if (!this.#result) throw new Error(`${this.constructor.name}.result read before the stream finished`);
    return this.#result;
  }
}

/**
 * Also computes the Dropbox content hash in the same pass (what a backup records in its sidecar),
 * and keeps the digests of the most recent 4 MiB blocks in `blockDigests`, so a destination
 * downstream (Dropbox) need not hash the same bytes a third time. A second SHA-256 pass over every
 * byte: use `Sha256PassThrough` where the content hash is not needed.
 */
export class HashingPassThrough extends Sha256PassThrough {
  /**
   * 64 blocks (256 MiB of stream): far more than a destination lags behind. The Dropbox chunk
   * reader takes a block's digest as soon as it has read the block's last byte, and between the
   * two sit only stream buffers and the fan-out's 1 MiB per branch.
   */
  readonly blockDigests = new RecentBlockDigests(64);
  readonly #contentHasher = new ContentHasher({ onBlockDigest: (index, digest) => this.blockDigests.record(index, digest) });
  #contentHash: string | undefined;

  protected override alsoHash(chunk: Buffer): void {
    this.#contentHasher.update(chunk);
  }

  override _flush(callback: TransformCallback): void {
    // Before the stream ends, so the last block's digest is known to readers that see the end.
    this.#contentHash = this.#contentHasher.digest();
    super._flush(callback);
  }

  override get result(): { contentHash: string; sha256: string; bytes: number } {
    const { sha256, bytes } = super.result;
    return { contentHash: this.#contentHash!, sha256, bytes };
  }
}
