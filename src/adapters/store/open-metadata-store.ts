/**
 * Opens the embedded metadata store for the app and the CLI: creates the data directory, opens
 * `dbackup.sqlite`, applies migrations, settles the master key (ENCRYPTION_KEY, the key file, or a
 * new generated key on first start) and proves it against the stored key check value.
 *
 * Refuses to start (throws `invalid_input` with the exact problem) when the key is malformed,
 * missing for existing data, or not the key the data was encrypted with.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Secret } from '../../core/secret.ts';
import type { MetadataStore } from '../../ports/metadata-store.port.ts';
import type { SecretBox } from '../../ports/secret-box.port.ts';
import { createAesGcmSecretBox, sealedKeyId } from '../secrets/aes-gcm.secret-box.ts';
import {
  NEXT_KEY_FILE_NAME,
  promoteNextKeyFile,
  readKeyFile,
  removeNextKeyFile,
  resolveEncryptionKey,
  type KeySource,
} from '../secrets/master-key-file.ts';
import { KEY_CHECK_SETTING, keyCheckMatches, keyMismatchError, sealKeyCheck } from './key-check.ts';
import { createKyselyMetadataStore } from './kysely.store.ts';
import { migrateToLatest } from './migrations/migrate.ts';
import type { StoreSchema } from './schema.ts';
import { openSqliteKysely, SQLITE_FILE_NAME } from './sqlite/open-sqlite.ts';
import type { Kysely } from 'kysely';

export interface OpenMetadataStoreOptions {
  dataDir: string;
  /** ENCRYPTION_KEY as configured (see core/config/settings.ts); absent = key file. */
  encryptionKey?: Secret | string | undefined;
  now?: () => Date;
  /** Database file; default `<dataDir>/dbackup.sqlite`. `:memory:` for tests. */
  filename?: string;
}

export interface OpenedMetadataStore {
  store: MetadataStore;
  keyId: string;
  keySource: KeySource;
  keyFile: string | undefined;
  /** True on first start when a key was generated: print `generatedKeyWarning()` prominently. */
  generatedKey: boolean;
  /** Non-fatal problems to print (loose key file permissions, leftovers of a key rotation). */
  warnings: string[];
  /** Migrations applied by this start. */
  migrationsApplied: string[];
  databaseFile: string;
}

export async function openMetadataStore(options: OpenMetadataStoreOptions): Promise<OpenedMetadataStore> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const databaseFile = options.filename ?? join(options.dataDir, SQLITE_FILE_NAME);
  const db = openSqliteKysely<StoreSchema>({ filename: databaseFile });
  try {
    const { applied } = await migrateToLatest(db as unknown as Kysely<unknown>);
    const check = (await db.selectFrom('settings').select('value').where('key', '=', KEY_CHECK_SETTING).executeTakeFirst())?.value;
    const settled = await settleKey(options, check);
    if (check === undefined) {
      const now = (options.now ?? (() => new Date()))().toISOString();
      await db.insertInto('settings').values({ key: KEY_CHECK_SETTING, value: sealKeyCheck(settled.box), updated_at: now }).execute();
    }
    const store = createKyselyMetadataStore({ db, secretBox: settled.box, dialect: 'sqlite', ...(options.now ? { now: options.now } : {}) });
    return {
      store,
      keyId: settled.box.keyId,
      keySource: settled.source,
      keyFile: settled.keyFile,
      generatedKey: settled.source === 'generated',
      warnings: settled.warnings,
      migrationsApplied: applied,
      databaseFile,
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** The banner to print when `generatedKey` is true. */
export function generatedKeyWarning(keyFile: string): string {
  const line = '!'.repeat(78);
  return [
    line,
    '!! DBackup generated a new ENCRYPTION_KEY and saved it to:',
    `!!   ${keyFile}`,
    '!! Every stored credential (Dropbox App Key/Secret and tokens, database passwords,',
    '!! encryption profile keys) is encrypted with it. BACK THIS FILE UP somewhere safe,',
    '!! apart from the data directory: without it those secrets cannot be recovered.',
    '!! Alternatively set ENCRYPTION_KEY to its contents (and delete the file).',
    line,
  ].join('\n');
}

interface SettledKey {
  box: SecretBox;
  source: KeySource;
  keyFile: string | undefined;
  warnings: string[];
}

async function settleKey(options: OpenMetadataStoreOptions, check: string | undefined): Promise<SettledKey> {
  const { dataDir } = options;
  const resolved = await resolveEncryptionKey({
    dataDir,
    envKey: options.encryptionKey,
    dataKeyId: check === undefined ? undefined : (sealedKeyId(check) ?? 'unknown'),
  });
  const box = createAesGcmSecretBox(resolved.key);
  const warnings = [...resolved.warnings];
  const nextPath = join(dataDir, NEXT_KEY_FILE_NAME);
  const next = await readKeyFile(nextPath).catch(() => undefined);

  if (check === undefined || keyCheckMatches(check, box)) {
    if (next !== undefined) {
      if (resolved.source === 'env') {
        warnings.push(`${nextPath} is left over from a key rotation. If ENCRYPTION_KEY already holds that key, delete the file.`);
      } else {
        // The rotation that wrote it never committed: the data is still under the current key.
        await removeNextKeyFile(dataDir);
        warnings.push(`Removed ${nextPath}, left by a key rotation that did not complete; the data still uses key id ${box.keyId}.`);
      }
    }
    return { box, source: resolved.source, keyFile: resolved.keyFile, warnings };
  }

  // Wrong key — unless a rotation committed and crashed before the new key file took over.
  const nextBox = next === undefined ? undefined : createAesGcmSecretBox(next.key);
  if (nextBox !== undefined && keyCheckMatches(check, nextBox)) {
    if (resolved.source === 'env') {
      throw keyMismatchError(
        check,
        box,
        `The data was re-encrypted by rotate-encryption-key with the new key stored in ${nextPath}: set ENCRYPTION_KEY to the contents of that file, restart, then delete the file.`,
      );
    }
    const keyFile = await promoteNextKeyFile(dataDir);
    warnings.push(`Completed an interrupted key rotation: ${keyFile} now holds the new key (key id ${nextBox.keyId}). Back it up.`);
    return { box: nextBox, source: 'file', keyFile, warnings };
  }
  throw keyMismatchError(check, box);
}
