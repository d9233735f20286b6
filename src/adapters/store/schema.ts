/**
 * Row types of the metadata database, as Kysely sees them. Conventions (shared by SQLite and
 * PostgreSQL, see migrations/):
 * - ids are text (UUIDv7: time-ordered, so inserts stay local in indexes);
 * - timestamps are text in `Date.toISOString()` form (UTC, fixed width, millisecond precision), so
 *   they compare and sort correctly as plain strings on both databases — under any collation, as
 *   all values share one layout and first differ in a digit (the PostgreSQL test uses ICU en-US);
 * - booleans are integers 0/1; JSON is text; columns ending in `_enc` hold SecretBox ciphertexts;
 * - byte counts are 64-bit (`bigint`); PostgreSQL returns those as strings, hence `Int8`.
 */
import type { ColumnType } from 'kysely';

export type Int8 = ColumnType<number | string, number, number>;

export interface UsersTable {
  id: string;
  username: string;
  /** Lower-cased username; unique. */
  username_key: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

export interface OAuthStatesTable {
  state_hash: string;
  user_id: string;
  destination_id: string;
  code_verifier_enc: string;
  redirect_uri: string;
  created_at: string;
  expires_at: string;
}

export interface DestinationsTable {
  id: string;
  type: string;
  name: string;
  config_json: string;
  /** JSON object of secret name → value, sealed as one value. */
  secrets_enc: string | null;
  account_id: string | null;
  account_name: string | null;
  authorized_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SourcesTable {
  id: string;
  type: string;
  name: string;
  host: string | null;
  port: number | null;
  username: string | null;
  password_enc: string | null;
  sqlite_path: string | null;
  options_json: string;
  created_at: string;
  updated_at: string;
}

export interface EncryptionProfilesTable {
  id: string;
  name: string;
  fingerprint: string;
  key_enc: string;
  created_at: string;
}

export interface JobsTable {
  id: string;
  name: string;
  folder_name: string;
  /** Case-folded folder name; unique, which makes folder names unique case-insensitively. */
  folder_key: string;
  source_id: string;
  database_name: string | null;
  schedule_cron: string | null;
  schedule_timezone: string | null;
  compression: string;
  encryption_profile_id: string | null;
  retention_json: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface JobDestinationsTable {
  job_id: string;
  destination_id: string;
  position: number;
}

export interface RunsTable {
  id: string;
  job_id: string;
  status: string;
  triggered_by: string;
  stage: string | null;
  bytes: Int8;
  rate: number | null;
  eta_seconds: number | null;
  queued_at: string;
  started_at: string | null;
  ended_at: string | null;
  error_code: string | null;
  error_message: string | null;
  destination_results_json: string;
  backup_key: string | null;
  /** Highest log `seq` so far; incremented atomically to number log lines. */
  log_count: number;
  /** The process executing the run (ports/process-ownership.port.ts); NULL for runs from before 0002. */
  owner: string | null;
}

export interface RunLogsTable {
  run_id: string;
  seq: number;
  at: string;
  level: string;
  message: string;
}

export interface RestoresTable {
  id: string;
  destination_id: string;
  object_key: string;
  source_id: string;
  source_name: string;
  database_name: string;
  create_database: number;
  drop_existing: number;
  skip_ownership: number;
  status: string;
  stage: string | null;
  bytes: Int8;
  total_bytes: Int8 | null;
  started_at: string;
  ended_at: string | null;
  error_code: string | null;
  error_message: string | null;
  /** The process executing the restore (ports/process-ownership.port.ts). */
  owner: string | null;
  /** Log lines appended so far (also past the kept limit); incremented atomically to number them. */
  log_count: number;
}

export interface RestoreLogsTable {
  restore_id: string;
  seq: number;
  at: string;
  level: string;
  message: string;
}

export interface BackupsTable {
  id: string;
  destination_id: string;
  object_key: string;
  job_id: string | null;
  run_id: string | null;
  size: Int8;
  created_at: string;
  sha256: string | null;
  content_hash: string | null;
  compression: string;
  encryption_profile_id: string | null;
  verified_at: string | null;
  meta_json: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface WebhooksTable {
  id: string;
  name: string;
  url_enc: string;
  /** JSON array of event names. */
  events_json: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

export interface StoreSchema {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  oauth_states: OAuthStatesTable;
  destinations: DestinationsTable;
  sources: SourcesTable;
  encryption_profiles: EncryptionProfilesTable;
  jobs: JobsTable;
  job_destinations: JobDestinationsTable;
  runs: RunsTable;
  run_logs: RunLogsTable;
  backups: BackupsTable;
  restores: RestoresTable;
  restore_logs: RestoreLogsTable;
  settings: SettingsTable;
  webhooks: WebhooksTable;
}
