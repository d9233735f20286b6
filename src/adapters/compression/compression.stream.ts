import { Duplex, PassThrough, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import { DBackupError, isDBackupError } from '../../core/errors.ts';
import { resolveCompressionLevel, type Compression } from './compression.ts';

/**
 * A stream that compresses with `compression` at `level` (default per COMPRESSION_LEVELS);
 * `none` passes bytes through. zstd frames carry a content checksum so corruption is caught on
 * decompression. Throws `invalid_input` synchronously for a level out of range.
 */
export function createCompressStream(compression: Compression, level?: number): Duplex {
  const resolved = resolveCompressionLevel(compression, level);
  switch (compression) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      return new ZlibStream(zlib.createGzip({ level: resolved }), (error) => compressFailed('gzip', error));
    case 'zstd':
      return new ZlibStream(
        zlib.createZstdCompress({
          params: {
            [zlib.constants.ZSTD_c_compressionLevel]: resolved ?? 3,
            [zlib.constants.ZSTD_c_checksumFlag]: 1,
          },
        }),
        (error) => compressFailed('zstd', error),
      );
  }
}

/**
 * A stream that undoes `compression` (`none` passes bytes through). Corrupt, truncated or
 * non-`compression` input fails the stream with an `integrity` DBackupError; as with decryption,
 * output seen before the error must be discarded.
 */
export function createDecompressStream(compression: Compression): Duplex {
  switch (compression) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      return new ZlibStream(zlib.createGunzip(), (error) => decompressFailed('gzip', error));
    case 'zstd':
      return new ZlibStream(zlib.createZstdDecompress(), (error) => decompressFailed('zstd', error));
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
 * Wraps a zlib stream so its failures surface as DBackupErrors (a Transform cannot rewrite the
 * error its engine emits). Backpressure passes through: when our reader is full the engine is
 * paused, which stalls its transform and so our write callbacks.
 */
class ZlibStream extends Duplex {
  readonly #engine: Transform;

  constructor(engine: Transform, mapError: (error: Error) => Error) {
    super();
    this.#engine = engine;
    engine.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) engine.pause();
    });
    engine.once('end', () => this.push(null));
    engine.once('error', (error: Error) => this.destroy(mapError(error)));
  }

  override _read(): void {
    this.#engine.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Errors are reported once, through the engine's 'error' event above.
    this.#engine.write(chunk, encoding, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#engine.once('finish', () => callback());
    this.#engine.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#engine.destroy();
    callback(error);
  }
}
