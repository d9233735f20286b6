/**
 * The store conformance suite against the real local PostgreSQL (127.0.0.1:5432, user postgres,
 * trust auth) in a throwaway database `dbk_store_<random>`, dropped afterwards. This is what makes
 * "the same SQL runs on PostgreSQL" true, not just compiled (see dialect-neutral.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBackupError } from '../../core/errors.ts';
import { Secret } from '../../core/secret.ts';
import { createAesGcmSecretBox } from '../secrets/aes-gcm.secret-box.ts';
import { createKyselyMetadataStore } from './kysely.store.ts';
import { executedMigrationNames, MIGRATIONS, migrateToLatest } from './migrations/migrate.ts';
import { openPostgresKysely, openPostgresMetadataStore } from './postgres/open-postgres.ts';
import type { StoreSchema } from './schema.ts';
import { describeMetadataStore } from './test-suite/store.suite.ts';

const SERVER = process.env.DBACKUP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const database = `dbk_store_${randomBytes(6).toString('hex')}`;
const url = `${SERVER}/${database}`;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const available = await admin(async () => true).catch((error: unknown) => {
  if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI but unreachable at ${SERVER}: ${String(error)}`);
  console.warn(`Skipping PostgreSQL store tests: cannot reach ${SERVER} (${String(error)})`);
  return false;
});

// Tables in dependency order, children first, for emptying between tests.
const TABLES = [
  'restore_logs', 'restores', 'run_logs', 'backups', 'runs', 'job_destinations', 'jobs', 'oauth_states', 'sessions', 'api_tokens',
  'encryption_profiles', 'sources', 'destinations', 'users', 'settings', 'webhooks',
] as const;

describe.runIf(available)('PostgreSQL metadata store', () => {
  let shared: Kysely<StoreSchema>;

  beforeAll(async () => {
    // A linguistic (ICU) collation like most real servers have, rather than the test server's C
    // default: text comparisons of timestamps and ids must not depend on the collation.
    await admin((client) =>
      client
        .query(`CREATE DATABASE ${database} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`)
        .catch(() => client.query(`CREATE DATABASE ${database}`)),
    );
    shared = openPostgresKysely({ connectionString: url });
    await migrateToLatest(shared as unknown as Kysely<unknown>);
  });

  afterAll(async () => {
    await shared?.destroy();
    // Closed pools disconnect asynchronously; forcing the drop at once would kill connections
    // that are still saying goodbye (an unhandled error in the test run). Wait for them instead.
    await admin(async (client) => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          await client.query(`DROP DATABASE IF EXISTS ${database}${attempt >= 50 ? ' WITH (FORCE)' : ''}`);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    });
  });

  it('migrations are recorded and idempotent', async () => {
    expect(await executedMigrationNames(shared as unknown as Kysely<unknown>)).toEqual(Object.keys(MIGRATIONS).sort());
    expect((await migrateToLatest(shared as unknown as Kysely<unknown>)).applied).toEqual([]);
  });

  describeMetadataStore({
    name: 'PostgreSQL',
    async create(box, clock) {
      for (const table of TABLES) await shared.deleteFrom(table).execute();
      // The store must not destroy the shared pool when a test closes it.
      const store = createKyselyMetadataStore({ db: shared, secretBox: box, dialect: 'postgres', now: clock.now, ownsDatabase: false });
      return { raw: shared, store };
    },
    dispose: async () => undefined,
  });

  it('openPostgresMetadataStore records the key check once and refuses another key', async () => {
    await shared.deleteFrom('settings').execute();
    const key = createAesGcmSecretBox(randomBytes(32));
    const first = await openPostgresMetadataStore({ connectionString: url, secretBox: key, maxConnections: 2 });
    const src = await first.sources.create({ type: 'postgres', name: 'p', password: new Secret('pw') });
    await first.close();
    const again = await openPostgresMetadataStore({ connectionString: url, secretBox: key, maxConnections: 2 });
    expect((await again.sources.get(src.id))?.password?.reveal()).toBe('pw');
    await again.close();
    const wrong = await openPostgresMetadataStore({ connectionString: url, secretBox: createAesGcmSecretBox(randomBytes(32)) }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(DBackupError);
    expect((wrong as DBackupError).message).toContain(`(key id ${key.keyId};`);
  });

  it('stores the documented column types', async () => {
    const { rows } = await sql<{ column_name: string; data_type: string }>`
      select column_name, data_type from information_schema.columns where table_name = 'runs' order by column_name`.execute(shared);
    const types = Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
    expect(types).toMatchObject({ id: 'text', bytes: 'bigint', rate: 'double precision', log_count: 'integer', queued_at: 'text' });
  });
});
