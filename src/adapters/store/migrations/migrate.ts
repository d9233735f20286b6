/**
 * Schema migrations, applied at start. Kysely's Migrator keeps a `dbackup_migrations` table (so
 * re-running is a no-op), applies pending migrations in name order, and refuses a database that
 * has migrations this build does not know (a newer DBackup was run against it). On SQLite all
 * pending migrations run in one transaction; on PostgreSQL an advisory lock keeps two nodes from
 * migrating at once.
 *
 * To add a migration: a new `NNNN-name.migration.ts` beside this file, registered in MIGRATIONS.
 * Never edit one that has shipped.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { DBackupError } from '../../../core/errors.ts';
import * as initial from './0001-initial.migration.ts';
import * as runOwner from './0002-run-owner.migration.ts';
import * as restores from './0003-restores.migration.ts';
import * as webhooks from './0004-webhooks.migration.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': initial,
  '0002_run_owner': runOwner,
  '0003_restores': restores,
  '0004_webhooks': webhooks,
};

export const MIGRATION_TABLE = 'dbackup_migrations';

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

export interface MigrationOutcome {
  /** Names applied by this call, in order; empty when the schema was current. */
  applied: string[];
}

/**
 * Brings the schema up to date. Throws `internal` naming the failed migration (nothing of the
 * failed batch stays applied on SQLite), or `conflict` when the database has migrations this build
 * does not know (a newer DBackup wrote it).
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<MigrationOutcome> {
  const unknown = (await executedMigrationNames(db)).filter((name) => !(name in MIGRATIONS));
  if (unknown.length > 0) {
    throw new DBackupError(
      'conflict',
      `The metadata database was written by a newer DBackup (it has migrations this version does not know: ${unknown.join(', ')}). ` +
        'Upgrade DBackup or restore an older copy of the data directory.',
      { retryable: false, details: { unknownMigrations: unknown } },
    );
  }
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: `${MIGRATION_TABLE}_lock`,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new DBackupError(
      'internal',
      `Updating the metadata database failed${failed === undefined ? '' : ` in migration ${failed}`}: ${message}`,
      { cause: error, retryable: false },
    );
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names recorded in the migrations table; empty for a fresh database. */
export async function executedMigrationNames(db: Kysely<unknown>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const untyped = db as unknown as Kysely<Record<string, { name: string }>>;
  const rows = await untyped.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}
