/**
 * SecretBox with AES-256-GCM.
 *
 * Sealed format (text): `v1:<keyId>:<base64url(nonce[12] | ciphertext | tag[16])>`.
 * - `keyId` (16 hex) names the master key, so a mismatch is reported as such, not as corruption,
 *   and rotation can tell old values from new ones.
 * - The AES key is derived from the master key with HKDF-SHA256 (info `dbackup/secret-box/v1`), so
 *   the master key is never used directly by two algorithms.
 * - Additional authenticated data is `v1:<keyId>:<context>`: the header and the owning record and
 *   field are authenticated, so ciphertexts cannot be swapped between rows or fields.
 * - Nonces are 96 random bits per value; the number of secrets is tiny, far below GCM's limits.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ENCRYPTION_KEY_BYTES, encryptionKeyId } from '../../core/config/encryption-key.ts';
import { DBackupError } from '../../core/errors.ts';
import type { SecretBox } from '../../ports/secret-box.port.ts';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^v1:([0-9a-f]{16}):([A-Za-z0-9_-]+)$/;

/** Creates a box for a 32-byte master key. Throws `invalid_input` for any other length. */
export function createAesGcmSecretBox(masterKey: Uint8Array): SecretBox {
  if (masterKey.length !== ENCRYPTION_KEY_BYTES) {
    throw new DBackupError('invalid_input', `The encryption key must be ${ENCRYPTION_KEY_BYTES} bytes; got ${masterKey.length}.`);
  }
  const keyId = encryptionKeyId(masterKey);
  const aesKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'dbackup/secret-box/v1', 32));
  const aadFor = (context: string) => Buffer.from(`${VERSION}:${keyId}:${context}`, 'utf8');

  return {
    keyId,

    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', aesKey, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadFor(context));
      const body = Buffer.concat([nonce, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}:${keyId}:${body.toString('base64url')}`;
    },

    open(sealed, context) {
      const match = SEALED.exec(sealed);
      if (match === null) {
        throw integrity(`A stored secret (${context}) is not in a format DBackup understands; it may be corrupted. Enter the credential again.`);
      }
      const [, sealedKeyId, payload] = match as unknown as [string, string, string];
      if (sealedKeyId !== keyId) {
        throw integrity(
          `A stored secret (${context}) was encrypted with key id ${sealedKeyId}, but the current ENCRYPTION_KEY has key id ${keyId}. ` +
            'Start DBackup with the key the data was encrypted with.',
          { sealedKeyId, keyId },
        );
      }
      const body = Buffer.from(payload, 'base64url');
      if (body.length < NONCE_BYTES + TAG_BYTES) {
        throw integrity(`A stored secret (${context}) is truncated. Enter the credential again.`);
      }
      const nonce = body.subarray(0, NONCE_BYTES);
      const tag = body.subarray(body.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', aesKey, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aadFor(context));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw integrity(
          `A stored secret (${context}) failed its integrity check: it was altered or copied from another record. Enter the credential again.`,
          { keyId },
          cause,
        );
      }
    },

    keyIdOf: sealedKeyId,
  };
}

/** The key id a sealed value names, without needing any key; `undefined` if it is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  return SEALED.exec(sealed)?.[1];
}

function integrity(message: string, details: Record<string, unknown> = {}, cause?: unknown): DBackupError {
  return new DBackupError('integrity', message, { retryable: false, details, cause });
}
