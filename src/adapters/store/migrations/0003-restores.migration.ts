/**
 * The restore history (`restores`) with a bounded log per restore (`restore_logs`), so finished
 * restores survive a restart and one cut short by a crash can be reported as interrupted. Like
 * runs, a restore records the process executing it (`owner`). No foreign keys to destinations or
 * sources: the history outlives them (the source's name is kept beside its id).
 */
import { sql, type Kysely } from 'kysely';

const TIMESTAMP = 'text';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('restores')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('source_name', 'text', (c) => c.notNull())
    .addColumn('database_name', 'text', (c) => c.notNull())
    .addColumn('create_database', 'integer', (c) => c.notNull().check(sql`create_database in (0, 1)`))
    .addColumn('drop_existing', 'integer', (c) => c.notNull().check(sql`drop_existing in (0, 1)`))
    .addColumn('skip_ownership', 'integer', (c) => c.notNull().check(sql`skip_ownership in (0, 1)`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running', 'success', 'failed', 'cancelled', 'interrupted')`))
    .addColumn('stage', 'text')
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('total_bytes', 'bigint')
    .addColumn('started_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('ended_at', TIMESTAMP)
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('owner', 'text')
    .addColumn('log_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('restores_started_idx').on('restores').column('started_at').execute();
  await db.schema.createIndex('restores_status_idx').on('restores').column('status').execute();

  await db.schema
    .createTable('restore_logs')
    .addColumn('restore_id', 'text', (c) => c.notNull().references('restores.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', TIMESTAMP, (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('info', 'warn', 'error')`))
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('restore_logs_pk', ['restore_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('restore_logs').execute();
  await db.schema.dropTable('restores').execute();
}
