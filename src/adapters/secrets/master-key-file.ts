/**
 * Where the master key comes from: `ENCRYPTION_KEY`, else `<data dir>/encryption.key`, else (first
 * start only) a freshly generated key written to that file with mode 0600.
 *
 * `encryption.key.next` holds the new key while `rotate-encryption-key` runs; it lets a start after
 * a crash mid-rotation find the key the data was re-encrypted with (see open-metadata-store.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ENCRYPTION_KEY_BYTES, encryptionKeyId, formatEncryptionKey, parseEncryptionKey } from '../../core/config/encryption-key.ts';
import { DBackupError } from '../../core/errors.ts';
import type { Secret } from '../../core/secret.ts';

export const KEY_FILE_NAME = 'encryption.key';
export const NEXT_KEY_FILE_NAME = 'encryption.key.next';

export type KeySource = 'env' | 'file' | 'generated';

export interface ResolvedKey {
  key: Buffer;
  keyId: string;
  source: KeySource;
  /** The key file used or written (`undefined` when the key came from ENCRYPTION_KEY). */
  keyFile: string | undefined;
  /** Things the operator should fix, e.g. a key file readable by other users. */
  warnings: string[];
}

export interface ResolveKeyOptions {
  dataDir: string;
  /** ENCRYPTION_KEY as given, if set. */
  envKey: Secret | string | undefined;
  /**
   * Key id of existing encrypted data, if any. A key is generated only when there is none;
   * otherwise a missing key is an error naming this id.
   */
  dataKeyId: string | undefined;
}

/** Throws `invalid_input` saying exactly what is wrong (malformed key, key missing for existing data). */
export async function resolveEncryptionKey(options: ResolveKeyOptions): Promise<ResolvedKey> {
  const keyFile = join(options.dataDir, KEY_FILE_NAME);
  if (options.envKey !== undefined) {
    const text = typeof options.envKey === 'string' ? options.envKey : options.envKey.reveal();
    const key = parseEncryptionKey(text);
    return { key, keyId: encryptionKeyId(key), source: 'env', keyFile: undefined, warnings: [] };
  }
  const fromFile = await readKeyFile(keyFile);
  if (fromFile !== undefined) {
    return { key: fromFile.key, keyId: encryptionKeyId(fromFile.key), source: 'file', keyFile, warnings: fromFile.warnings };
  }
  if (options.dataKeyId !== undefined) {
    throw new DBackupError(
      'invalid_input',
      `ENCRYPTION_KEY is not set and ${keyFile} does not exist, but the data in ${options.dataDir} is encrypted (key id ${options.dataKeyId}). ` +
        'Set ENCRYPTION_KEY to that key or restore the key file from your backup.',
      { retryable: false, details: { dataKeyId: options.dataKeyId } },
    );
  }
  const generated = randomBytes(ENCRYPTION_KEY_BYTES);
  if (!(await writeKeyFile(keyFile, generated, { exclusive: true }))) {
    // Another process created it between our read and write: use theirs.
    return resolveEncryptionKey(options);
  }
  return { key: generated, keyId: encryptionKeyId(generated), source: 'generated', keyFile, warnings: [] };
}

/** Reads and validates a key file; `undefined` when it does not exist. */
export async function readKeyFile(path: string): Promise<{ key: Buffer; warnings: string[] } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DBackupError('invalid_input', `Cannot read the key file ${path}: ${(error as Error).message}. Check its permissions.`, {
      cause: error,
      retryable: false,
    });
  }
  const key = parseEncryptionKey(text, `The key file ${path}`);
  const warnings: string[] = [];
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    warnings.push(`The key file ${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
  }
  return { key, warnings };
}

/**
 * Writes a key file with mode 0600, flushed to disk. With `exclusive`, returns false instead of
 * replacing an existing file.
 */
export async function writeKeyFile(path: string, key: Uint8Array, options: { exclusive: boolean }): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, options.exclusive ? 'wx' : 'w', 0o600);
  } catch (error) {
    if (options.exclusive && (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DBackupError('unavailable', `Cannot write the key file ${path}: ${(error as Error).message}.`, { cause: error, retryable: false });
  }
  try {
    await handle.writeFile(`${formatEncryptionKey(key)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  // `open` applies the mode only when it creates the file (and through the umask).
  await chmod(path, 0o600);
  return true;
}

/** Atomically makes `encryption.key.next` the key file. */
export async function promoteNextKeyFile(dataDir: string): Promise<string> {
  const target = join(dataDir, KEY_FILE_NAME);
  await rename(join(dataDir, NEXT_KEY_FILE_NAME), target);
  return target;
}

export async function removeNextKeyFile(dataDir: string): Promise<void> {
  await rm(join(dataDir, NEXT_KEY_FILE_NAME), { force: true });
}
