import { Duplex, PassThrough, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import { DBackupError, isDBackupError } from '../../core/errors.ts';
import { BlockCompressStream } from './block-compress.stream.ts';
import { resolveCompressionLevel, type Compression } from './compression.ts';
import { createFrameEngines } from './frame-engines.ts';
import { ZstdFrameSplitter } from './zstd-frames.ts';

/** How the compressor cuts its input; see BlockCompressStream. */
export interface CompressStreamOptions {
  /** Input bytes per zstd frame / gzip member (default 4 MiB). */
  blockSize?: number;
  /** Blocks compressed at the same time, in the libuv thread pool (default 2). */
  parallelism?: number;
}

/**
 * Blocks of 1 MiB. Earlier measurements: 2 MiB blocks cost about 0.2 % of size against one stream
 * on a typical dump (4 MiB: 0.1 %) and held 12 MiB less memory than 4 MiB ones (the three pooled
 * input blocks, the two engines' windows, see frameWindowLog, and the frames waiting to be read).
 * 1 MiB against 2 MiB, measured on a 35 MB table export with repeated names and dates: zstd 0.5 %
 * smaller, gzip 0.05 % larger, the same throughput; on the 1 GiB pipeline benchmark, mean peak RSS
 * 169 against 176 MiB (5 runs each). Two at a time keep both cores of a small server busy, together
 * with the dump and encryption.
 */
const DEFAULT_BLOCK_SIZE = 1024 * 1024;
const DEFAULT_PARALLELISM = 2;
/**
 * Output buffer size of an engine. node:zlib hands out a frame's output as slices of this buffer
 * and keeps filling it across frames, so one buffer stays alive until the last frame that shares it
 * has been read downstream; long enough that V8 promotes it and only a full GC frees it. At 256
 * KiB a buffer rarely outlives its frame. Measured on the 1 GiB pipeline benchmark (zstd, 2-core
 * VM): mean peak RSS 178 MiB over 7 runs against 188 over 13 runs with 1 MiB (highest 186 against
 * 204), and no change in compression throughput (bench/compression: 133–158 MiB/s either way).
 */
const ENGINE_CHUNK_SIZE = 256 * 1024;

/**
 * A stream that compresses with `compression` at `level` (default per COMPRESSION_LEVELS);
 * `none` passes bytes through. The input is cut into blocks that are compressed in parallel, each
 * into an independent zstd frame or gzip member (the output is their concatenation, which standard
 * tools read as one file). zstd frames carry a content checksum so corruption is caught on
 * decompression. Memory stays bounded (see BlockCompressStream). Throws `invalid_input`
 * synchronously for a level out of range; a failing engine fails the stream with `internal`.
 */
export function createCompressStream(compression: Compression, level?: number, options: CompressStreamOptions = {}): Duplex {
  const resolved = resolveCompressionLevel(compression, level);
  const blocks = { blockSize: options.blockSize ?? DEFAULT_BLOCK_SIZE, parallelism: options.parallelism ?? DEFAULT_PARALLELISM };
  switch (compression) {
    case 'none':
      return new PassThrough();
    case 'gzip': {
      // Node's typings omit reset() on Gzip, which has it like every deflate engine.
      const createGzip = () => zlib.createGzip({ level: resolved, chunkSize: ENGINE_CHUNK_SIZE }) as zlib.Gzip & zlib.ZlibReset;
      const engines = createFrameEngines(createGzip, zlib.constants.Z_FINISH, (engine) => engine.reset());
      return new BlockCompressStream(engines, blocks, (error) => compressFailed('gzip', error));
    }
    case 'zstd': {
      const params = {
        [zlib.constants.ZSTD_c_compressionLevel]: resolved ?? 3,
        [zlib.constants.ZSTD_c_checksumFlag]: 1,
        [zlib.constants.ZSTD_c_windowLog]: frameWindowLog(blocks.blockSize),
      };
      const engines = createFrameEngines(() => zlib.createZstdCompress({ params, chunkSize: ENGINE_CHUNK_SIZE }), zlib.constants.ZSTD_e_end);
      return new BlockCompressStream(engines, blocks, (error) => compressFailed('zstd', error));
    }
  }
}

/**
 * The zstd window for frames of at most `blockSize` bytes: the smallest power of two that holds a
 * whole frame. A larger window buys nothing (a frame never refers outside itself) and costs the
 * encoder memory; a smaller one (e.g. level 3's 2 MiB window with 4 MiB blocks) makes the
 * streaming encoder wrap its window inside each frame, which measured about 13 % more instructions
 * per byte at level 3 for the same output. Clamped to zstd's 1 KiB minimum and to 128 MiB, the
 * largest window decoders accept without being told to.
 */
function frameWindowLog(blockSize: number): number {
  return Math.min(27, Math.max(10, Math.ceil(Math.log2(blockSize))));
}

/**
 * A stream that undoes `compression` (`none` passes bytes through). Corrupt, truncated or
 * non-`compression` input, and bytes after the end of the compressed data, fail the stream with
 * an `integrity` DBackupError; as with decryption, output seen before the error must be
 * discarded. Input of several concatenated zstd frames or gzip members decompresses to the
 * concatenation of their contents. A file cut exactly between two frames (members) decompresses
 * without error to a prefix: that only the stored SHA-256 or size can reveal.
 */
export function createDecompressStream(compression: Compression): Duplex {
  switch (compression) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      // Gunzip reads concatenated members by itself.
      return new DecompressStream(zlib.createGunzip(), 'gzip');
    case 'zstd': {
      const splitter = new ZstdFrameSplitter();
      return new DecompressStream(zlib.createZstdDecompress(), 'zstd', (chunk) => splitter.split(chunk));
    }
  }
}

function decompressFailed(compression: Compression, error: Error): Error {
  if (isDBackupError(error)) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  // zlib reports input that stops mid-stream as Z_BUF_ERROR ("unexpected end of file"); zstd uses
  // the same code for some damaged frames, so the message names both possibilities.
  if (code === 'Z_BUF_ERROR') {
    return new DBackupError(
      'integrity',
      `The ${compression} data ends unexpectedly: the backup is truncated or corrupted. Use another copy of the backup. (${error.message})`,
      { cause: error, retryable: false, details: { reason: 'truncated', zlibCode: code } },
    );
  }
  if (code.startsWith('Z_') || code.startsWith('ZSTD_')) {
    return new DBackupError(
      'integrity',
      `The ${compression} data is corrupted or is not ${compression} at all (${error.message}). Check the file's extension, or use another copy of the backup.`,
      { cause: error, retryable: false, details: { reason: 'corrupt', zlibCode: code } },
    );
  }
  return new DBackupError('internal', `Decompressing ${compression} failed: ${error.message}`, { cause: error, retryable: false });
}

function compressFailed(compression: Compression, error: Error): Error {
  if (isDBackupError(error)) return error;
  return new DBackupError('internal', `Compressing with ${compression} failed: ${error.message}`, { cause: error, retryable: false });
}

/**
 * Wraps a zlib decompressor so its failures surface as DBackupErrors (a Transform cannot rewrite
 * the error its engine emits). `split` cuts each write into pieces the engine gets one by one
 * (zstd: one piece never spans two frames). The engine must consume every byte: zlib streams
 * quietly end their output when they stop early, which here becomes an integrity error.
 * Backpressure passes through: when our reader is full the engine is paused, which stalls its
 * transform and so our write callbacks.
 */
class DecompressStream extends Duplex {
  readonly #engine: Transform & zlib.Zlib;
  readonly #compression: Compression;
  readonly #split: (chunk: Buffer) => Buffer[];
  #bytesIn = 0;
  #ending = false;

  constructor(engine: Transform & zlib.Zlib, compression: Compression, split: (chunk: Buffer) => Buffer[] = (chunk) => [chunk]) {
    super();
    this.#engine = engine;
    this.#compression = compression;
    this.#split = split;
    engine.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) engine.pause();
    });
    engine.once('end', () => {
      if (this.#ending && !this.#leftInput()) this.push(null);
      else this.#failTrailing();
    });
    engine.once('error', (error: Error) => this.destroy(decompressFailed(compression, error)));
  }

  override _read(): void {
    this.#engine.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writePieces(this.#split(chunk), 0, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#ending = true;
    this.#engine.once('finish', () => callback());
    this.#engine.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#engine.destroy();
    callback(error);
  }

  #writePieces(pieces: Buffer[], index: number, callback: (error?: Error | null) => void): void {
    const piece = pieces[index];
    if (piece === undefined) {
      callback();
      return;
    }
    this.#bytesIn += piece.length;
    this.#engine.write(piece, (error) => {
      // Engine errors are reported once, through its 'error' event above.
      if (error || this.destroyed) return;
      if (this.#leftInput()) this.#failTrailing();
      else this.#writePieces(pieces, index + 1, callback);
    });
  }

  /** Whether the engine stopped before consuming everything written to it. */
  #leftInput(): boolean {
    return this.#engine.bytesWritten !== this.#bytesIn;
  }

  #failTrailing(): void {
    const compression = this.#compression;
    this.destroy(new DBackupError(
      'integrity',
      `The ${compression} data is corrupted: other bytes follow its end. Use another copy of the backup.`,
      { retryable: false, details: { reason: 'trailing' } },
    ));
  }
}
