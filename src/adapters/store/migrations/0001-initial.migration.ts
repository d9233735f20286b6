/**
 * The initial schema. Dialect-neutral by construction: only Kysely's schema builder with types
 * both SQLite and PostgreSQL understand (text, integer, bigint, double precision), no
 * autoincrement, no collations, no partial indexes; CHECK expressions are plain SQL `IN` lists.
 * See schema.ts for the column conventions.
 */
import { sql, type Kysely } from 'kysely';

const TIMESTAMP = 'text';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('last_seen_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('expires_at', TIMESTAMP, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('last_used_at', TIMESTAMP)
    .execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('destinations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('local', 'dropbox')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config_json', 'text', (c) => c.notNull())
    .addColumn('secrets_enc', 'text')
    .addColumn('account_id', 'text')
    .addColumn('account_name', 'text')
    .addColumn('authorized_at', TIMESTAMP)
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('destination_id', 'text', (c) => c.notNull().references('destinations.id').onDelete('cascade'))
    .addColumn('code_verifier_enc', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('expires_at', TIMESTAMP, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_states_expires_idx').on('oauth_states').column('expires_at').execute();

  await db.schema
    .createTable('sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('postgres', 'mysql', 'mariadb', 'sqlite')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('host', 'text')
    .addColumn('port', 'integer')
    .addColumn('username', 'text')
    .addColumn('password_enc', 'text')
    .addColumn('sqlite_path', 'text')
    .addColumn('options_json', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('encryption_profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull().unique())
    .addColumn('key_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('folder_name', 'text', (c) => c.notNull())
    .addColumn('folder_key', 'text', (c) => c.notNull().unique())
    // Restrict: a source or profile in use cannot disappear under a job (repositories say which job).
    .addColumn('source_id', 'text', (c) => c.notNull().references('sources.id').onDelete('restrict'))
    .addColumn('database_name', 'text')
    .addColumn('schedule_cron', 'text')
    .addColumn('schedule_timezone', 'text')
    .addColumn('compression', 'text', (c) => c.notNull().check(sql`compression in ('none', 'gzip', 'zstd')`))
    .addColumn('encryption_profile_id', 'text', (c) => c.references('encryption_profiles.id').onDelete('restrict'))
    .addColumn('retention_json', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().check(sql`enabled in (0, 1)`))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_source_idx').on('jobs').column('source_id').execute();
  await db.schema.createIndex('jobs_profile_idx').on('jobs').column('encryption_profile_id').execute();

  await db.schema
    .createTable('job_destinations')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('destination_id', 'text', (c) => c.notNull().references('destinations.id').onDelete('restrict'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_destinations_pk', ['job_id', 'destination_id'])
    .execute();
  await db.schema.createIndex('job_destinations_destination_idx').on('job_destinations').column('destination_id').execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('queued', 'running', 'success', 'partial', 'failed', 'cancelled', 'interrupted')`),
    )
    .addColumn('triggered_by', 'text', (c) => c.notNull().check(sql`triggered_by in ('manual', 'schedule')`))
    .addColumn('stage', 'text')
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('rate', 'double precision')
    .addColumn('eta_seconds', 'integer')
    .addColumn('queued_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('started_at', TIMESTAMP)
    .addColumn('ended_at', TIMESTAMP)
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('destination_results_json', 'text', (c) => c.notNull())
    .addColumn('backup_key', 'text')
    .addColumn('log_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_job_queued_idx').on('runs').columns(['job_id', 'queued_at']).execute();
  await db.schema.createIndex('runs_status_idx').on('runs').column('status').execute();
  await db.schema.createIndex('runs_queued_idx').on('runs').column('queued_at').execute();

  await db.schema
    .createTable('run_logs')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', TIMESTAMP, (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('debug', 'info', 'warn', 'error')`))
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_logs_pk', ['run_id', 'seq'])
    .execute();

  await db.schema
    .createTable('backups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('destination_id', 'text', (c) => c.notNull().references('destinations.id').onDelete('cascade'))
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.references('jobs.id').onDelete('set null'))
    .addColumn('run_id', 'text', (c) => c.references('runs.id').onDelete('set null'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('sha256', 'text')
    .addColumn('content_hash', 'text')
    .addColumn('compression', 'text', (c) => c.notNull())
    .addColumn('encryption_profile_id', 'text', (c) => c.references('encryption_profiles.id').onDelete('restrict'))
    .addColumn('verified_at', TIMESTAMP)
    .addColumn('meta_json', 'text', (c) => c.notNull())
    .addUniqueConstraint('backups_destination_key_unique', ['destination_id', 'object_key'])
    .execute();
  await db.schema.createIndex('backups_job_idx').on('backups').columns(['job_id', 'created_at']).execute();
  await db.schema.createIndex('backups_profile_idx').on('backups').column('encryption_profile_id').execute();
  await db.schema.createIndex('backups_run_idx').on('backups').column('run_id').execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'settings', 'backups', 'run_logs', 'runs', 'job_destinations', 'jobs', 'encryption_profiles',
    'sources', 'oauth_states', 'destinations', 'api_tokens', 'sessions', 'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
