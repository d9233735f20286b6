import { Duplex } from 'node:stream';
import type { BlockCompressor } from './frame-engines.ts';

export interface BlockCompressOptions {
  /** Input bytes per frame. */
  blockSize: number;
  /** Blocks compressed at the same time (the compressor must allow that many calls at once). */
  parallelism: number;
}

interface Job {
  /** The pooled buffer the input was copied into; reused once the job is done. */
  buffer: Buffer;
  output?: Buffer[];
  done: boolean;
}

/**
 * Cuts its input into blocks of `blockSize` bytes (the last one shorter), compresses up to
 * `parallelism` blocks at the same time with `compressor`, and emits the compressed frames
 * strictly in input order. Empty input still yields one (empty) frame, so the output is always a
 * valid compressed file. Concatenated zstd frames and concatenated gzip members are valid files
 * that standard tools decompress to the concatenated input.
 *
 * Memory is bounded: at most `parallelism` blocks are compressing or waiting to be read, plus the
 * block being filled. So it holds (parallelism + 1) × blockSize input bytes (in buffers it reuses),
 * at most `parallelism` compressed frames (each about blockSize at worst, for a dump typically a
 * third to a half of it), and the compressor's engines (see createFrameEngines), plus the stream
 * buffers. Writes wait while all slots are taken, and a finished frame is held back until the
 * reader wants more (backpressure both ways).
 *
 * The compressor is closed when the stream ends or is destroyed. A failing block fails the stream
 * at once with `mapError(error)`; frames not yet emitted are dropped.
 */
export class BlockCompressStream extends Duplex {
  readonly #compressor: BlockCompressor;
  readonly #blockSize: number;
  readonly #parallelism: number;
  readonly #mapError: (error: Error) => Error;
  /** Jobs in input order; the head is the next frame to emit. */
  readonly #jobs: Job[] = [];
  readonly #spareBuffers: Buffer[] = [];
  #block: Buffer | undefined;
  #filled = 0;
  #blocksSubmitted = 0;
  #readerWantsMore = false;
  /** Resolves the writer waiting for a free slot, or `_final` waiting for the last frame. */
  #onProgress: (() => void) | undefined;

  constructor(compressor: BlockCompressor, options: BlockCompressOptions, mapError: (error: Error) => Error) {
    super();
    if (!Number.isInteger(options.blockSize) || options.blockSize < 1) throw new RangeError(`blockSize must be a positive integer, got ${options.blockSize}`);
    if (!Number.isInteger(options.parallelism) || options.parallelism < 1) throw new RangeError(`parallelism must be a positive integer, got ${options.parallelism}`);
    this.#compressor = compressor;
    this.#blockSize = options.blockSize;
    this.#parallelism = options.parallelism;
    this.#mapError = mapError;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback);
  }

  override _read(): void {
    this.#readerWantsMore = true;
    this.#emitFinished();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Running compressions cannot be cancelled; their results are dropped when they arrive.
    this.#jobs.length = 0;
    this.#spareBuffers.length = 0;
    this.#block = undefined;
    this.#compressor.close();
    this.#wake();
    callback(error);
  }

  async #take(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && !this.destroyed) {
      this.#block ??= this.#spareBuffers.pop() ?? Buffer.allocUnsafe(this.#blockSize);
      const copied = chunk.copy(this.#block, this.#filled, offset);
      offset += copied;
      this.#filled += copied;
      if (this.#filled === this.#blockSize) await this.#submitBlock();
    }
  }

  async #finish(): Promise<void> {
    if (this.#filled > 0 || this.#blocksSubmitted === 0) {
      this.#block ??= Buffer.allocUnsafe(0);
      await this.#submitBlock();
    }
    while (this.#jobs.length > 0 && !this.destroyed) await this.#progress();
    if (!this.destroyed) this.push(null);
  }

  /** Waits for a free slot, then starts compressing the filled part of the current block. */
  async #submitBlock(): Promise<void> {
    while (this.#jobs.length >= this.#parallelism && !this.destroyed) await this.#progress();
    const buffer = this.#block;
    if (buffer === undefined || this.destroyed) return;
    const job: Job = { buffer, done: false };
    this.#jobs.push(job);
    this.#blocksSubmitted++;
    const input = buffer.subarray(0, this.#filled);
    this.#block = undefined;
    this.#filled = 0;
    this.#compressor.compress(input).then(
      (output) => this.#settle(job, output, undefined),
      (error: Error) => this.#settle(job, undefined, error),
    );
  }

  #settle(job: Job, output: Buffer[] | undefined, error: Error | undefined): void {
    if (this.destroyed) return;
    if (error !== undefined) {
      this.destroy(this.#mapError(error));
      return;
    }
    job.done = true;
    job.output = output;
    this.#emitFinished();
  }

  /**
   * Pushes the pieces of finished frames from the head of the queue, one at a time while the
   * reader wants more (so a slow reader gets one piece per read, not a whole frame at once).
   */
  #emitFinished(): void {
    let progressed = false;
    while (!this.destroyed && this.#readerWantsMore && this.#jobs[0]?.done === true) {
      const job = this.#jobs[0];
      const piece = job.output!.shift();
      if (job.output!.length === 0) {
        this.#jobs.shift();
        if (job.buffer.length === this.#blockSize && this.#spareBuffers.length < this.#parallelism) this.#spareBuffers.push(job.buffer);
        progressed = true;
      }
      if (piece !== undefined) this.#readerWantsMore = this.push(piece);
    }
    if (progressed) this.#wake();
  }

  #progress(): Promise<void> {
    return new Promise((resolve) => {
      this.#onProgress = resolve;
    });
  }

  #wake(): void {
    const resolve = this.#onProgress;
    this.#onProgress = undefined;
    resolve?.();
  }
}
