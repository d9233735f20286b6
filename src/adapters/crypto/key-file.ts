import { DBackupError } from '../../core/errors.ts';
import { ENCRYPTION_KEY_BYTES, assertEncryptionKey, fingerprintOf, type EncryptionKey } from './encryption-key.ts';

export const KEY_FILE_FORMAT = 'dbackup-key';
export const KEY_FILE_VERSION = 1;

/** Key files are a few hundred bytes; anything far larger is the wrong file. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface KeyFileContents {
  key: Buffer;
  /** Always recomputed from `key`; a stored fingerprint that disagrees is rejected. */
  fingerprint: string;
  /** The encryption profile's name, when the file carries one. */
  name?: string;
  createdAt?: string;
  /** How the key was written: our JSON format, or a bare hex / base64 key. */
  encoding: 'json' | 'hex' | 'base64';
}

export interface SerializeKeyFileInput {
  key: EncryptionKey;
  /** The encryption profile's name, to tell key files apart. */
  name: string;
  createdAt?: Date;
}

/**
 * The text of an exported key file: a small JSON document ending in a newline. Anyone holding it
 * can decrypt every backup made with the profile, so the file says so. Throws `invalid_input` for
 * a key that is not 32 bytes.
 */
export function serializeKeyFile(input: SerializeKeyFileInput): string {
  assertEncryptionKey(input.key);
  const document = {
    format: KEY_FILE_FORMAT,
    version: KEY_FILE_VERSION,
    name: input.name,
    fingerprint: fingerprintOf(input.key),
    algorithm: 'aes-256-gcm',
    key: Buffer.from(input.key).toString('base64'),
    ...(input.createdAt ? { createdAt: input.createdAt.toISOString() } : {}),
    note: 'Secret. Anyone with this file can decrypt the backups of this encryption profile. Keep it apart from the backups.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Reads a key file: our JSON format, or a file holding only the key as 64 hex characters or as
 * base64 (standard or URL alphabet, padding optional). Surrounding whitespace is ignored.
 *
 * Throws `invalid_input` when the text is none of these or the key is not 32 bytes, and
 * `integrity` when a JSON key file's fingerprint does not match its key (damaged or edited file).
 */
export function parseKeyFile(text: string): KeyFileContents {
  if (text.length > MAX_KEY_FILE_BYTES) {
    throw invalid(`The key file is ${text.length} characters long; key files are well under ${MAX_KEY_FILE_BYTES}. Check that you passed the key file, not a backup.`);
  }
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw invalid('The key file is empty. Export the key again from the encryption profile.');
  if (trimmed.startsWith('{')) return parseJsonKeyFile(trimmed);

  const key = decodeBareKey(trimmed);
  if (!key) {
    throw invalid(
      'The key file holds neither a DBackup key file (JSON) nor a bare 32-byte key (64 hex characters or base64). Use the file exported from the encryption profile.',
    );
  }
  return { key: key.bytes, fingerprint: fingerprintOf(key.bytes), encoding: key.encoding };
}

function parseJsonKeyFile(text: string): KeyFileContents {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw invalid('The key file looks like JSON but cannot be parsed. Export the key again from the encryption profile.', error);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw invalid('The key file is JSON but not a DBackup key file (expected an object).');
  }
  const fields = document as Record<string, unknown>;
  if (fields.format !== KEY_FILE_FORMAT) {
    throw invalid(`The key file is JSON but not a DBackup key file (expected "format": "${KEY_FILE_FORMAT}").`);
  }
  if (fields.version !== KEY_FILE_VERSION) {
    throw invalid(
      `The key file has version ${JSON.stringify(fields.version)}; this DBackup reads version ${KEY_FILE_VERSION}. Use a DBackup release that matches the one that exported the key.`,
    );
  }
  if (typeof fields.key !== 'string') throw invalid('The key file has no "key" field. Export the key again from the encryption profile.');
  const decoded = decodeBareKey(fields.key.trim());
  if (!decoded) {
    throw invalid(`The key file's "key" field is not a base64-encoded ${ENCRYPTION_KEY_BYTES}-byte key. The file is damaged; export the key again.`);
  }

  const fingerprint = fingerprintOf(decoded.bytes);
  if (fields.fingerprint !== undefined) {
    const stated = typeof fields.fingerprint === 'string' ? fields.fingerprint.replace(/\s/g, '').toLowerCase() : '';
    if (stated !== fingerprint) {
      throw new DBackupError(
        'integrity',
        `The key file says its fingerprint is ${String(fields.fingerprint)}, but its key has fingerprint ${fingerprint}. The file is damaged or was edited; export the key again from the encryption profile.`,
        { retryable: false },
      );
    }
  }
  const name = typeof fields.name === 'string' ? fields.name : undefined;
  const createdAt = typeof fields.createdAt === 'string' ? fields.createdAt : undefined;
  return {
    key: decoded.bytes,
    fingerprint,
    encoding: 'json',
    ...(name === undefined ? {} : { name }),
    ...(createdAt === undefined ? {} : { createdAt }),
  };
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one '=' of padding.
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

function decodeBareKey(text: string): { bytes: Buffer; encoding: 'hex' | 'base64' } | undefined {
  if (HEX_KEY.test(text)) return { bytes: Buffer.from(text, 'hex'), encoding: 'hex' };
  if (!BASE64_KEY.test(text) || (/[+/]/.test(text) && /[-_]/.test(text))) return undefined;
  const standard = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=$/, '');
  const bytes = Buffer.from(standard, 'base64');
  // Node's decoder ignores stray low bits in the last character; a canonical re-encoding catches
  // a mistyped final character instead of silently using a different key.
  if (bytes.length !== ENCRYPTION_KEY_BYTES || bytes.toString('base64').replace(/=$/, '') !== standard) return undefined;
  return { bytes, encoding: 'base64' };
}

function invalid(message: string, cause?: unknown): DBackupError {
  return new DBackupError('invalid_input', message, { cause, retryable: false });
}
