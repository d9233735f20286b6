import { createHash, randomBytes } from 'node:crypto';
import { DBackupError } from '../../core/errors.ts';

/** An encryption profile's key: exactly 32 random bytes (AES-256). */
export type EncryptionKey = Uint8Array;

export const ENCRYPTION_KEY_BYTES = 32;

/** Length in bytes of a key fingerprint (shown to users as 32 lowercase hex characters). */
export const FINGERPRINT_BYTES = 16;

/**
 * Prefix hashed before the key. It separates the fingerprint from every other use of SHA-256 over
 * the same key, so a fingerprint can never be mistaken for (or help compute) anything else.
 */
const FINGERPRINT_DOMAIN = Buffer.from('dbackup key fingerprint v1\0', 'utf8');

/** A fresh profile key from the operating system's CSPRNG. */
export function generateEncryptionKey(): Buffer {
  return randomBytes(ENCRYPTION_KEY_BYTES);
}

/**
 * The key's public fingerprint: the first 16 bytes of SHA-256(domain ‖ key), lowercase hex.
 * Safe to show and to store in file headers; it identifies the key without revealing it.
 * Throws `invalid_input` when `key` is not 32 bytes.
 */
export function fingerprintOf(key: EncryptionKey): string {
  assertEncryptionKey(key);
  return createHash('sha256')
    .update(FINGERPRINT_DOMAIN)
    .update(key)
    .digest()
    .subarray(0, FINGERPRINT_BYTES)
    .toString('hex');
}

/** Throws `invalid_input` unless `key` is a 32-byte buffer. */
export function assertEncryptionKey(key: unknown): asserts key is EncryptionKey {
  if (!(key instanceof Uint8Array) || key.length !== ENCRYPTION_KEY_BYTES) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw new DBackupError(
      'invalid_input',
      `An encryption key must be exactly ${ENCRYPTION_KEY_BYTES} bytes (got ${got}). Use the key exported from the encryption profile.`,
    );
  }
}

