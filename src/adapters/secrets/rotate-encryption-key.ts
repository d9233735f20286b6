/**
 * Master key rotation: every stored secret re-encrypted under a new ENCRYPTION_KEY in one
 * transaction (`npx dbackup rotate-encryption-key`).
 *
 * Crash safety: the new key is written to `<data dir>/encryption.key.next` (0600, fsynced) BEFORE the
 * transaction commits, so the key the data ends up under always exists on disk. After the commit
 * it replaces `encryption.key` (rename) when the key lives in the data directory; with
 * ENCRYPTION_KEY the operator moves it into the environment. A start after a crash in between
 * finishes the job (see open-metadata-store.ts).
 *
 * The DBackup server must be stopped: a running server keeps the old key in memory and would write
 * new secrets under it. The rotation takes the data directory's server lock, so it refuses to run
 * beside a server, and a server cannot start during it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ENCRYPTION_KEY_BYTES, encryptionKeyId, parseEncryptionKey } from '../../core/config/encryption-key.ts';
import { DBackupError } from '../../core/errors.ts';
import type { Secret } from '../../core/secret.ts';
import type { MetadataStore, ReencryptResult } from '../../ports/metadata-store.port.ts';
import { createLocalProcessOwnership } from '../process/local-process-ownership.ts';
import { acquireServerLock } from '../process/server-lock.ts';
import { openMetadataStore } from '../store/open-metadata-store.ts';
import { createAesGcmSecretBox } from './aes-gcm.secret-box.ts';
import { NEXT_KEY_FILE_NAME, promoteNextKeyFile, readKeyFile, removeNextKeyFile, writeKeyFile } from './master-key-file.ts';

/**
 * Re-encrypts everything in `store` from `oldKey` to `newKey` (32 bytes each) in one transaction.
 * Throws `invalid_input` when `oldKey` is not the store's key or equals `newKey`, `integrity`
 * (nothing changed) when a stored secret does not open with the old key.
 */
export async function rotateEncryptionKey(store: MetadataStore, oldKey: Uint8Array, newKey: Uint8Array): Promise<ReencryptResult> {
  const oldId = encryptionKeyId(oldKey);
  if (oldId !== store.keyId) {
    throw new DBackupError('invalid_input', `The old key (key id ${oldId}) is not the key this data is encrypted with (key id ${store.keyId}).`, {
      retryable: false,
    });
  }
  if (Buffer.from(oldKey).equals(Buffer.from(newKey))) {
    throw new DBackupError('invalid_input', 'The new key is the same as the current key; choose a different one.', { retryable: false });
  }
  return store.reencryptSecrets(createAesGcmSecretBox(newKey));
}

export interface RotateEncryptionKeyInDataDirOptions {
  dataDir: string;
  /** The current ENCRYPTION_KEY if the environment sets it; otherwise the key file is used. */
  currentKey?: Secret | string | undefined;
  /** The new key as text (hex/base64); default a freshly generated random key. */
  newKey?: Secret | string | undefined;
}

export interface RotateEncryptionKeyInDataDirResult extends ReencryptResult {
  /** Where the new key is now stored. */
  keyFile: string;
  /** True when ENCRYPTION_KEY must be changed to the new key before the next start. */
  mustUpdateEnvironment: boolean;
  /** What to tell the operator, line by line. */
  messages: string[];
}

/**
 * The use case behind `dbackup rotate-encryption-key`. Opens the store in `dataDir` with the
 * current key (same checks as a normal start), rotates, and leaves the new key where the next
 * start finds it — or tells the operator to put it into ENCRYPTION_KEY.
 */
export async function rotateEncryptionKeyInDataDir(options: RotateEncryptionKeyInDataDirOptions): Promise<RotateEncryptionKeyInDataDirResult> {
  const newKey =
    options.newKey === undefined
      ? randomBytes(ENCRYPTION_KEY_BYTES)
      : parseEncryptionKey(typeof options.newKey === 'string' ? options.newKey : options.newKey.reveal(), 'The new key');
  const lock = acquireServerLock(options.dataDir, createLocalProcessOwnership(), 'key rotation', (holder) =>
    new DBackupError(
      'conflict',
      holder.role === 'server'
        ? `Stop the DBackup server first (process ${holder.pid} on ${holder.host} is running on ${options.dataDir}): it keeps the current key in memory and would go on writing credentials with it. Nothing was changed.`
        : `Another key rotation is in progress on ${options.dataDir} (process ${holder.pid} on ${holder.host}). Nothing was changed.`,
      { retryable: false, details: { ...holder } },
    ));
  let opened: Awaited<ReturnType<typeof openMetadataStore>>;
  try {
    opened = await openMetadataStore({ dataDir: options.dataDir, encryptionKey: options.currentKey });
  } catch (error) {
    lock.release();
    throw error;
  }
  const nextPath = join(options.dataDir, NEXT_KEY_FILE_NAME);
  try {
    const oldKey = await currentKeyBytes(options, opened.keyFile);
    if (Buffer.from(oldKey).equals(newKey)) {
      throw new DBackupError('invalid_input', 'The new key is the same as the current key; choose a different one.', { retryable: false });
    }
    await writeKeyFile(nextPath, newKey, { exclusive: false });
    let result: ReencryptResult;
    try {
      result = await rotateEncryptionKey(opened.store, oldKey, newKey);
    } catch (error) {
      await removeNextKeyFile(options.dataDir);
      throw error;
    }
    const summary = `Re-encrypted ${result.secrets} stored secret${result.secrets === 1 ? '' : 's'}: key id ${result.fromKeyId} → ${result.toKeyId}.`;
    if (opened.keySource === 'env') {
      return {
        ...result,
        keyFile: nextPath,
        mustUpdateEnvironment: true,
        messages: [
          summary,
          `The new key is in ${nextPath}. Set ENCRYPTION_KEY to its contents, restart DBackup, and then delete that file.`,
          'Until ENCRYPTION_KEY holds the new key, DBackup refuses to start. Back the new key up; the old one no longer works.',
        ],
      };
    }
    const keyFile = await promoteNextKeyFile(options.dataDir);
    return {
      ...result,
      keyFile,
      mustUpdateEnvironment: false,
      messages: [summary, `The new key replaced ${keyFile}. Back it up now; backups of the old key file no longer work.`],
    };
  } finally {
    await opened.store.close();
    lock.release();
  }
}

async function currentKeyBytes(options: RotateEncryptionKeyInDataDirOptions, keyFile: string | undefined): Promise<Buffer> {
  if (options.currentKey !== undefined) {
    return parseEncryptionKey(typeof options.currentKey === 'string' ? options.currentKey : options.currentKey.reveal());
  }
  const fromFile = keyFile === undefined ? undefined : await readKeyFile(keyFile);
  if (fromFile === undefined) throw new DBackupError('internal', 'The key file disappeared during key rotation.', { retryable: false });
  return fromFile.key;
}
