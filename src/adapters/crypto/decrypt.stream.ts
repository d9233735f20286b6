import { createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DBackupError } from '../../core/errors.ts';
import { assertEncryptionKey, fingerprintOf, type EncryptionKey } from './encryption-key.ts';
import {
  ENCRYPTION_HEADER_BYTES,
  TAG_BYTES,
  chunkNonce,
  deriveFileKey,
  looksEncrypted,
  readEncryptionHeader,
  type EncryptionHeader,
} from './encryption-format.ts';

/** Finds the profile key for a fingerprint read from the file header; `undefined` when unknown. */
export type KeyResolver = (fingerprint: string) => EncryptionKey | undefined | Promise<EncryptionKey | undefined>;

/** A Transform from an encrypted backup to its plaintext. */
export interface DecryptStream extends Transform {
  /** The header, once the first 64 bytes have been read (not yet authenticated before chunk 0). */
  readonly header: EncryptionHeader | undefined;
}

/**
 * Decrypts an encrypted backup in bounded memory (one chunk). A chunk's plaintext is pushed only
 * after its tag verifies, so everything emitted is authentic and in order. What cannot be known
 * until the end is whether the file is complete: truncation is reported as an error when the
 * input ends. Consumers MUST treat any stream error as fatal and must not commit (rename, import,
 * restore) what they received until the stream has ended without error.
 *
 * Errors (all `DBackupError`, never retryable):
 * - `invalid_input`: not an encrypted backup, or a format version this release cannot read;
 * - `integrity`: wrong key (before any output), a chunk that fails authentication (corruption,
 *   tampering, reordering, dropped or duplicated chunks), or a truncated file;
 * - `not_found`: the resolver has no key with the file's fingerprint.
 */
export function createDecryptStream(keyOrResolver: EncryptionKey | KeyResolver): DecryptStream {
  if (typeof keyOrResolver !== 'function') assertEncryptionKey(keyOrResolver);
  return new DecryptTransform(keyOrResolver);
}

class DecryptTransform extends Transform implements DecryptStream {
  readonly #keySource: EncryptionKey | KeyResolver;
  readonly #headerBytes = Buffer.alloc(ENCRYPTION_HEADER_BYTES);
  #headerFill = 0;
  #header: EncryptionHeader | undefined;
  #fileKey: Buffer | undefined;
  /** One stored chunk (ciphertext ‖ tag) being collected; allocated once the chunk size is known. */
  #record: Buffer = Buffer.alloc(0);
  #recordFill = 0;
  #chunkIndex = 0;

  constructor(keySource: EncryptionKey | KeyResolver) {
    super();
    this.#keySource = keySource;
  }

  get header(): EncryptionHeader | undefined {
    return this.#header;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#consume(data).then(() => callback(), (error: unknown) => callback(error as Error));
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#finish();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  async #consume(data: Buffer): Promise<void> {
    let position = 0;
    if (!this.#fileKey) {
      const take = Math.min(ENCRYPTION_HEADER_BYTES - this.#headerFill, data.length);
      data.copy(this.#headerBytes, this.#headerFill, 0, take);
      this.#headerFill += take;
      position = take;
      // Fail on the first bytes of a plain file instead of after reading a whole chunk.
      if (!looksEncrypted(this.#headerBytes.subarray(0, this.#headerFill))) readEncryptionHeader(this.#headerBytes);
      if (this.#headerFill < ENCRYPTION_HEADER_BYTES) return;
      await this.#start(readEncryptionHeader(this.#headerBytes));
    }

    const recordSize = this.#record.length;
    while (position < data.length) {
      const remaining = data.length - position;
      if (this.#recordFill === 0 && remaining >= recordSize) {
        this.push(this.#open(data.subarray(position, position + recordSize), false));
        position += recordSize;
        continue;
      }
      const take = Math.min(recordSize - this.#recordFill, remaining);
      data.copy(this.#record, this.#recordFill, position, position + take);
      this.#recordFill += take;
      position += take;
      // A full-size chunk is never the last one (the writer keeps the last chunk shorter), so it
      // can be verified and released now; only a shorter remainder at end of input is final.
      if (this.#recordFill === recordSize) {
        this.push(this.#open(this.#record, false));
        this.#recordFill = 0;
      }
    }
  }

  async #start(header: EncryptionHeader): Promise<void> {
    const key = typeof this.#keySource === 'function' ? await this.#keySource(header.fingerprint) : this.#keySource;
    if (key === undefined) {
      throw new DBackupError(
        'not_found',
        `This file was encrypted with key ${header.fingerprint}, and no encryption profile here has that key. Import the encryption profile's exported key with that fingerprint.`,
        { retryable: false, details: { fingerprint: header.fingerprint } },
      );
    }
    assertEncryptionKey(key);
    const given = fingerprintOf(key);
    if (given !== header.fingerprint) {
      throw new DBackupError(
        'integrity',
        `This file was encrypted with key ${header.fingerprint}, but the key given has fingerprint ${given}. Use the encryption profile's exported key with that fingerprint.`,
        { retryable: false, details: { reason: 'wrong_key', fileFingerprint: header.fingerprint, keyFingerprint: given } },
      );
    }
    this.#header = header;
    this.#fileKey = deriveFileKey(key, header.salt);
    this.#record = Buffer.allocUnsafe(header.chunkSize + TAG_BYTES);
  }

  #finish(): void {
    if (!this.#fileKey) {
      if (this.#headerFill === 0) throw truncated('the file is empty');
      readEncryptionHeader(this.#headerBytes.subarray(0, this.#headerFill)); // throws the precise reason
      throw truncated(`it ends inside its ${ENCRYPTION_HEADER_BYTES}-byte header`);
    }
    if (this.#recordFill === 0) {
      const where = this.#chunkIndex === 0 ? 'it ends right after its header' : `it ends after chunk ${this.#chunkIndex - 1}`;
      throw truncated(`${where} and the final chunk is missing`, this.#chunkIndex);
    }
    if (this.#recordFill < TAG_BYTES) {
      throw truncated(`it ends inside chunk ${this.#chunkIndex}`, this.#chunkIndex);
    }
    this.push(this.#open(this.#record.subarray(0, this.#recordFill), true));
    this.#recordFill = 0;
  }

  /** Verifies one stored chunk and returns its plaintext; throws before returning anything otherwise. */
  #open(record: Buffer, final: boolean): Buffer {
    const header = this.#header;
    const fileKey = this.#fileKey;
    if (!header || !fileKey) throw new DBackupError('internal', 'Decrypting a chunk before the header was read.');
    const index = this.#chunkIndex;
    const split = record.length - TAG_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', fileKey, chunkNonce(index, final), { authTagLength: TAG_BYTES });
    decipher.setAAD(header.bytes);
    decipher.setAuthTag(record.subarray(split));
    const plaintext = decipher.update(record.subarray(0, split));
    try {
      decipher.final();
    } catch (cause) {
      throw chunkAuthenticationFailed(index, final, cause);
    }
    this.#chunkIndex += 1;
    return plaintext;
  }
}

function chunkAuthenticationFailed(index: number, final: boolean, cause: unknown): DBackupError {
  const where = final
    ? `at chunk ${index}, its last chunk (authentication failed; a file cut short inside a chunk also looks like this)`
    : `at chunk ${index} (authentication failed)`;
  const header = index === 0 ? ' The header is checked together with chunk 0, so it may be the header that changed.' : '';
  return new DBackupError(
    'integrity',
    `The encrypted backup is corrupted or was tampered with ${where}. Nothing from this chunk on was output.${header} Use another copy of the backup.`,
    { cause, retryable: false, details: { reason: 'authentication_failed', chunk: index } },
  );
}

function truncated(what: string, chunk?: number): DBackupError {
  return new DBackupError(
    'integrity',
    `The encrypted backup is truncated: ${what}. The upload, download or copy was probably interrupted; use another copy of the backup. Discard anything already output from this file.`,
    { retryable: false, details: { reason: 'truncated', ...(chunk === undefined ? {} : { chunk }) } },
  );
}
