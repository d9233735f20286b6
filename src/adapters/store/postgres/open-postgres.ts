/**
 * The metadata store on PostgreSQL — the path to a multi-node deployment. Same migrations and
 * repositories as SQLite; only the Kysely dialect differs. The master key comes from the caller
 * (ENCRYPTION_KEY: nodes must share it) and is proven against the stored key check value.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { MetadataStore } from '../../../ports/metadata-store.port.ts';
import type { SecretBox } from '../../../ports/secret-box.port.ts';
import { KEY_CHECK_SETTING, keyCheckMatches, keyMismatchError, sealKeyCheck } from '../key-check.ts';
import { createKyselyMetadataStore } from '../kysely.store.ts';
import { migrateToLatest } from '../migrations/migrate.ts';
import type { StoreSchema } from '../schema.ts';

export interface OpenPostgresOptions {
  /** e.g. `postgres://dbackup@db:5432/dbackup`. */
  connectionString: string;
  /** Connections in the pool; default 10. */
  maxConnections?: number;
}

export function openPostgresKysely<DB = StoreSchema>(options: OpenPostgresOptions): Kysely<DB> {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

export interface OpenPostgresMetadataStoreOptions extends OpenPostgresOptions {
  secretBox: SecretBox;
  now?: () => Date;
}

/**
 * Migrates, checks the key (throws `invalid_input` naming the data's key id when it does not match;
 * records the key check on first use) and returns the store. Throws `unavailable` when the server
 * cannot be reached.
 */
export async function openPostgresMetadataStore(options: OpenPostgresMetadataStoreOptions): Promise<MetadataStore> {
  const db = openPostgresKysely(options);
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
    const check = await db.selectFrom('settings').select('value').where('key', '=', KEY_CHECK_SETTING).executeTakeFirst();
    if (check === undefined) {
      const updatedAt = (options.now ?? (() => new Date()))().toISOString();
      // Several nodes may start at once: the first key check wins, the others verify against it.
      await db
        .insertInto('settings')
        .values({ key: KEY_CHECK_SETTING, value: sealKeyCheck(options.secretBox), updated_at: updatedAt })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    }
    const stored = await db.selectFrom('settings').select('value').where('key', '=', KEY_CHECK_SETTING).executeTakeFirstOrThrow();
    if (!keyCheckMatches(stored.value, options.secretBox)) {
      throw keyMismatchError(stored.value, options.secretBox, 'Start every DBackup node with the ENCRYPTION_KEY the data was encrypted with.');
    }
    return createKyselyMetadataStore({ db, secretBox: options.secretBox, dialect: 'postgres', ...(options.now ? { now: options.now } : {}) });
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
