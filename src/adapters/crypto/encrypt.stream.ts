import { createCipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { assertEncryptionKey, fingerprintOf, type EncryptionKey } from './encryption-key.ts';
import {
  DEFAULT_CHUNK_SIZE,
  SALT_BYTES,
  TAG_BYTES,
  assertChunkSize,
  chunkNonce,
  deriveFileKey,
  encodeEncryptionHeader,
} from './encryption-format.ts';

export interface EncryptStreamOptions {
  /** Plaintext bytes per chunk; defaults to 1 MiB. Readers accept any size the header states. */
  chunkSize?: number;
}

/** A Transform from plaintext to an encrypted backup (see docs/backup-format.md). */
export interface EncryptStream extends Transform {
  /** Fingerprint of the profile key, as written into the header (for the sidecar and UI). */
  readonly fingerprint: string;
}

/**
 * Encrypts a stream of any length in bounded memory (one chunk): writes the header, then one
 * authenticated chunk per `chunkSize` plaintext bytes, then a shorter final chunk at end of input.
 * Throws `invalid_input` synchronously for a key that is not 32 bytes or a bad chunk size.
 */
export function createEncryptStream(key: EncryptionKey, options: EncryptStreamOptions = {}): EncryptStream {
  return new EncryptTransform(key, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
}

class EncryptTransform extends Transform implements EncryptStream {
  readonly fingerprint: string;
  readonly #header: Buffer;
  readonly #fileKey: Buffer;
  readonly #chunkSize: number;
  /** Plaintext collected for the next chunk; reused, since each ciphertext is a fresh buffer. */
  readonly #pending: Buffer;
  #pendingBytes = 0;
  #chunkIndex = 0;
  #headerSent = false;

  constructor(key: EncryptionKey, chunkSize: number) {
    super();
    assertEncryptionKey(key);
    assertChunkSize(chunkSize);
    const salt = randomBytes(SALT_BYTES);
    this.fingerprint = fingerprintOf(key);
    this.#chunkSize = chunkSize;
    this.#header = encodeEncryptionHeader({ chunkSize, fingerprint: this.fingerprint, salt });
    this.#fileKey = deriveFileKey(key, salt);
    this.#pending = Buffer.allocUnsafe(chunkSize);
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#sendHeader();
      let position = 0;
      while (position < data.length) {
        const remaining = data.length - position;
        if (this.#pendingBytes === 0 && remaining >= this.#chunkSize) {
          // Whole chunk available in the input: encrypt it in place, no copy.
          this.#seal(data.subarray(position, position + this.#chunkSize), false);
          position += this.#chunkSize;
          continue;
        }
        const take = Math.min(this.#chunkSize - this.#pendingBytes, remaining);
        data.copy(this.#pending, this.#pendingBytes, position, position + take);
        this.#pendingBytes += take;
        position += take;
        // A full chunk is never the last one: the last chunk is always shorter (maybe empty).
        if (this.#pendingBytes === this.#chunkSize) {
          this.#seal(this.#pending, false);
          this.#pendingBytes = 0;
        }
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#sendHeader();
      this.#seal(this.#pending.subarray(0, this.#pendingBytes), true);
      this.#pendingBytes = 0;
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  #sendHeader(): void {
    if (this.#headerSent) return;
    this.#headerSent = true;
    this.push(Buffer.from(this.#header)); // a copy: downstream must not be able to alter our AAD
  }

  #seal(plaintext: Buffer, final: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.#fileKey, chunkNonce(this.#chunkIndex, final), { authTagLength: TAG_BYTES });
    cipher.setAAD(this.#header);
    const ciphertext = cipher.update(plaintext);
    const rest = cipher.final(); // always empty for GCM; kept so nothing could be lost
    this.#chunkIndex += 1;
    if (ciphertext.length > 0) this.push(ciphertext);
    if (rest.length > 0) this.push(rest);
    this.push(cipher.getAuthTag());
  }
}
