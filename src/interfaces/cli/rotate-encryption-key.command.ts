import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { rotateEncryptionKeyInDataDir } from '../../adapters/secrets/rotate-encryption-key.ts';
import { loadSettings } from '../../core/config/settings.ts';
import { DBackupError } from '../../core/errors.ts';
import { Secret } from '../../core/secret.ts';
import { parseCommandArgs, usageError, type CliCommand } from './command.ts';

const OPTIONS = { 'new-key-file': { type: 'string' } } as const;

export const rotateEncryptionKeyCommand: CliCommand = {
  name: 'rotate-encryption-key',
  summary: 'Re-encrypt every stored credential under a new ENCRYPTION_KEY',
  help: `Usage: dbackup rotate-encryption-key [--new-key-file <path>]

Re-encrypts every secret in the metadata store (Dropbox App Key, App Secret and refresh tokens,
database passwords, encryption profile keys) under a new master key, in one transaction.
Stop the DBackup server first: a running server still holds the old key.

The current key is read like at start: ENCRYPTION_KEY, else <DBACKUP_DATA_DIR>/encryption.key.
The new key is, in order: the file given with --new-key-file, NEW_ENCRYPTION_KEY, or a freshly
generated random key (32 bytes as 64 hex characters or base64).

- Key in the data directory (encryption.key): the file is replaced by the new key.
- Key in ENCRYPTION_KEY: the new key is left in <DBACKUP_DATA_DIR>/encryption.key.next; set
  ENCRYPTION_KEY to it, restart, then delete that file. DBackup refuses to start until you do.

Back up the new key: the old one no longer decrypts anything. Backups made with encryption
profiles are not affected (their keys are re-encrypted, not changed).

Options:
  --new-key-file <path>  Use the key in this file instead of generating one.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('rotate-encryption-key', args, OPTIONS);
    if (positionals.length > 0) throw usageError(`Unexpected argument: ${positionals.join(' ')}`);
    const settings = loadSettings(context.env, { cwd: context.cwd });
    let newKey: Secret | undefined;
    const keyFile = values['new-key-file'];
    if (keyFile !== undefined) {
      const path = resolve(context.cwd, keyFile);
      try {
        newKey = new Secret(await readFile(path, 'utf8'));
      } catch (cause) {
        throw new DBackupError('not_found', `Cannot read the new key file ${path}: ${(cause as Error).message}`, { cause, retryable: false });
      }
    } else if (context.env.NEW_ENCRYPTION_KEY) {
      newKey = new Secret(context.env.NEW_ENCRYPTION_KEY);
    }
    const result = await rotateEncryptionKeyInDataDir({ dataDir: settings.dataDir, currentKey: settings.encryptionKey, newKey });
    context.stdout.write(`${result.messages.join('\n')}\n`);
  },
};
