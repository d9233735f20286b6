import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isDBackupError } from '../../../core/errors.ts';
import type { StoreSchema } from '../schema.ts';
import { openSqliteKysely } from '../sqlite/open-sqlite.ts';
import { executedMigrationNames, MIGRATIONS, MIGRATION_TABLE, migrateToLatest } from './migrate.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbk-migrate-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'dbackup.sqlite');
}

function open(filename: string): Kysely<unknown> {
  const db = openSqliteKysely<unknown>({ filename });
  cleanups.push(() => db.destroy());
  return db;
}

describe('migrateToLatest', () => {
  it('applies every migration in order on a fresh database, then nothing on later starts', async () => {
    const file = await tempFile();
    const first = await migrateToLatest(open(file));
    expect(first.applied).toEqual(Object.keys(MIGRATIONS).sort());
    // A second process start (new connection to the same file) finds the schema current.
    const again = open(file);
    expect((await migrateToLatest(again)).applied).toEqual([]);
    expect((await migrateToLatest(again)).applied).toEqual([]);
    expect(await executedMigrationNames(again)).toEqual(Object.keys(MIGRATIONS).sort());
    const tables = (await again.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual([
      'api_tokens', 'backups', 'dbackup_migrations', 'dbackup_migrations_lock', 'destinations', 'encryption_profiles', 'job_destinations', 'jobs',
      'oauth_states', 'restore_logs', 'restores', 'run_logs', 'runs', 'sessions', 'settings', 'sources', 'users', 'webhooks',
    ]);
  });

  it('keeps data across restarts', async () => {
    const file = await tempFile();
    const db = open(file) as unknown as Kysely<StoreSchema>;
    await migrateToLatest(db as unknown as Kysely<unknown>);
    await db.insertInto('settings').values({ key: 'k', value: 'v', updated_at: 'now' }).execute();
    const reopened = open(file) as unknown as Kysely<StoreSchema>;
    await migrateToLatest(reopened as unknown as Kysely<unknown>);
    expect(await reopened.selectFrom('settings').select('value').where('key', '=', 'k').executeTakeFirst()).toEqual({ value: 'v' });
  });

  it('refuses a database written by a newer DBackup, naming the unknown migration', async () => {
    const db = open(':memory:');
    await migrateToLatest(db);
    const loose = db as unknown as Kysely<Record<string, { name: string; timestamp: string }>>;
    await loose.insertInto(MIGRATION_TABLE).values({ name: '9999_from_the_future', timestamp: new Date().toISOString() }).execute();
    const error = await migrateToLatest(db).then(() => undefined, (e: unknown) => e);
    expect(isDBackupError(error, 'conflict')).toBe(true);
    expect((error as Error).message).toContain('9999_from_the_future');
    expect((error as Error).message).toContain('newer DBackup');
  });

  it('enforces foreign keys and CHECK constraints the repositories rely on', async () => {
    const db = open(':memory:') as unknown as Kysely<StoreSchema>;
    await migrateToLatest(db as unknown as Kysely<unknown>);
    const now = new Date().toISOString();
    await expect(
      db.insertInto('sessions').values({ id_hash: 'h', user_id: 'nobody', csrf_token: 'c', created_at: now, last_seen_at: now, expires_at: now }).execute(),
    ).rejects.toMatchObject({ errcode: 787 });
    await expect(
      db.insertInto('destinations').values({ id: 'd', type: 'ftp', name: 'n', config_json: '{}', secrets_enc: null, account_id: null, account_name: null, authorized_at: null, created_at: now, updated_at: now }).execute(),
    ).rejects.toMatchObject({ errcode: 275 });
  });
});
