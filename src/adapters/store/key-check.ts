/**
 * The key check value: a known text sealed under the master key and kept in `settings`. At start
 * it tells "wrong ENCRYPTION_KEY" apart from "no secrets yet" before any real secret is touched,
 * and its key id names the key the data needs.
 */
import { DBackupError, isDBackupError } from '../../core/errors.ts';
import type { SecretBox } from '../../ports/secret-box.port.ts';

export const KEY_CHECK_SETTING = 'dbackup.key_check';
const PLAINTEXT = 'dbackup key check v1';
const CONTEXT = `settings/${KEY_CHECK_SETTING}`;

export function sealKeyCheck(box: SecretBox): string {
  return box.seal(PLAINTEXT, CONTEXT);
}

/** True when `sealed` opens with `box` to the expected text; false for any other key or damage. */
export function keyCheckMatches(sealed: string, box: SecretBox): boolean {
  if (box.keyIdOf(sealed) !== box.keyId) return false;
  try {
    return box.open(sealed, CONTEXT) === PLAINTEXT;
  } catch (error) {
    if (isDBackupError(error, 'integrity')) return false;
    throw error;
  }
}

/** Key id the data was encrypted with, as recorded in the key check value. */
export function keyCheckKeyId(sealed: string, box: SecretBox): string {
  return box.keyIdOf(sealed) ?? 'unknown';
}

export function keyMismatchError(sealed: string, box: SecretBox, hint = ''): DBackupError {
  const dataKeyId = keyCheckKeyId(sealed, box);
  return new DBackupError(
    'invalid_input',
    `ENCRYPTION_KEY does not match the key this data was encrypted with (key id ${dataKeyId}; the key given has key id ${box.keyId}). ` +
      (hint === '' ? 'Start DBackup with the original key: set ENCRYPTION_KEY or restore the encryption.key file.' : hint),
    { retryable: false, details: { dataKeyId, givenKeyId: box.keyId } },
  );
}
