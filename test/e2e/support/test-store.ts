import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createAesGcmSecretBox } from '../../../src/adapters/secrets/aes-gcm.secret-box.ts';
import { createKyselyMetadataStore } from '../../../src/adapters/store/kysely.store.ts';
import { migrateToLatest } from '../../../src/adapters/store/migrations/migrate.ts';
import type { StoreSchema } from '../../../src/adapters/store/schema.ts';
import { openSqliteKysely } from '../../../src/adapters/store/sqlite/open-sqlite.ts';
import type { MetadataStore } from '../../../src/ports/metadata-store.port.ts';

/** The real SQLite metadata store in `dataDir`, migrated, with a random master key. */
export async function openTestStore(dataDir: string, now?: () => Date): Promise<MetadataStore> {
  const db = openSqliteKysely<StoreSchema>({ filename: path.join(dataDir, 'dbackup.sqlite') });
  await migrateToLatest(db as never);
  return createKyselyMetadataStore({ db, secretBox: createAesGcmSecretBox(randomBytes(32)), dialect: 'sqlite', now });
}
