/**
 * The master `ENCRYPTION_KEY`: 32 bytes written as 64 hex characters or as base64 (standard or
 * URL-safe alphabet, padding optional). Everything secret in the metadata store is encrypted
 * under it (see adapters/secrets/aes-gcm.secret-box.ts).
 */
import { createHmac } from 'node:crypto';
import { DBackupError } from '../errors.ts';

export const ENCRYPTION_KEY_BYTES = 32;

const FORMAT_HINT = 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64';
const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

/**
 * Decodes a key given as text. Throws `invalid_input` saying exactly what is wrong, e.g.
 * "ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64; got 31 bytes".
 * `name` replaces `ENCRYPTION_KEY` in messages (e.g. for a key file or a `--new-key` flag).
 */
export function parseEncryptionKey(text: string, name = 'ENCRYPTION_KEY'): Buffer {
  const hint = FORMAT_HINT.replace('ENCRYPTION_KEY', name);
  const value = text.trim();
  if (value === '') throw invalid(`${hint}; it is empty`);
  // All-hex text is read as hex: a 32-byte base64 key always contains non-hex characters or
  // padding, so the two readings never compete for a valid key.
  if (HEX.test(value)) {
    if (value.length === ENCRYPTION_KEY_BYTES * 2) return Buffer.from(value, 'hex');
    const bytes = value.length % 2 === 0 ? `${value.length / 2} bytes` : 'an odd number of digits';
    throw invalid(`${hint}; got ${value.length} hex characters (${bytes})`);
  }
  if (!BASE64.test(value) || value.replace(/=+$/, '').length % 4 === 1) {
    const bad = [...value].find((c) => !/[A-Za-z0-9+/_=-]/.test(c));
    const what = bad === undefined ? 'it is not valid base64' : `it contains ${JSON.stringify(bad)}, which is neither hex nor base64`;
    throw invalid(`${hint}; ${what}`);
  }
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== ENCRYPTION_KEY_BYTES) throw invalid(`${hint}; got ${bytes.length} bytes`);
  return bytes;
}

/**
 * A short public name for a key: the first 8 bytes of HMAC-SHA256(key, label), hex. Safe to show
 * and store (it reveals nothing usable about the key) and the same for the same key everywhere.
 */
export function encryptionKeyId(key: Uint8Array): string {
  return createHmac('sha256', key).update('dbackup/key-id/v1').digest('hex').slice(0, 16);
}

/** The canonical text form written to key files: 64 lowercase hex characters. */
export function formatEncryptionKey(key: Uint8Array): string {
  return Buffer.from(key).toString('hex');
}

function invalid(message: string): DBackupError {
  return new DBackupError('invalid_input', message, { retryable: false });
}
