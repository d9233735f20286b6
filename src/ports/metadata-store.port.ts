/**
 * The metadata store: everything DBackup remembers besides the backups themselves.
 *
 * One implementation (adapters/store) runs on the embedded SQLite (`node:sqlite`) and, with the same
 * SQL, on PostgreSQL. Records use text ids (UUIDv7) and `Date` timestamps; secrets are `Secret`
 * values, encrypted at rest by the store.
 *
 * Errors: `not_found`, `conflict` and `invalid_input` as documented per method; `integrity` when a
 * stored secret cannot be decrypted with the current key; `unavailable` when the database fails.
 */
import type { SecretBox } from './secret-box.port.ts';
import type { ApiTokensRepository, OAuthStatesRepository, SessionsRepository, UsersRepository } from './store/accounts.port.ts';
import type { DestinationsRepository, EncryptionProfilesRepository, SourcesRepository } from './store/catalog.port.ts';
import type { BackupsRepository, JobsRepository, RunsRepository } from './store/jobs.port.ts';
import type { WebhooksRepository } from './store/notifications.port.ts';
import type { RestoresRepository } from './store/restores.port.ts';

export type * from './store/accounts.port.ts';
export type * from './store/catalog.port.ts';
export type * from './store/jobs.port.ts';
export type * from './store/notifications.port.ts';
export type * from './store/restores.port.ts';
export { OAUTH_STATE_TTL_MS } from './store/accounts.port.ts';
export { UNFINISHED_RUN_STATUSES } from './store/jobs.port.ts';
export { DEFAULT_WEBHOOK_EVENTS, NOTIFICATION_EVENTS } from './store/notifications.port.ts';
export { RESTORE_LOG_LIMIT, RESTORE_STATUSES } from './store/restores.port.ts';

/** Small string values (instance-wide preferences, scheduler bookkeeping). Keys `dbackup.*` are reserved. */
export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key starting with `prefix` (default all), as a plain object. */
  list(prefix?: string): Promise<Record<string, string>>;
}

export interface Repositories {
  readonly users: UsersRepository;
  readonly sessions: SessionsRepository;
  readonly apiTokens: ApiTokensRepository;
  readonly oauthStates: OAuthStatesRepository;
  readonly destinations: DestinationsRepository;
  readonly sources: SourcesRepository;
  readonly encryptionProfiles: EncryptionProfilesRepository;
  readonly jobs: JobsRepository;
  readonly runs: RunsRepository;
  readonly backups: BackupsRepository;
  readonly restores: RestoresRepository;
  readonly settings: SettingsRepository;
  readonly webhooks: WebhooksRepository;
}

export interface ReencryptResult {
  /** How many stored secrets were re-encrypted. */
  secrets: number;
  fromKeyId: string;
  toKeyId: string;
}

export interface MetadataStore extends Repositories {
  /** Which database this store runs on. */
  readonly dialect: 'sqlite' | 'postgres';

  /**
   * Runs `work` in one database transaction: everything it does through the given repositories
   * commits together or not at all (an exception rolls back and is rethrown). Inside `work`, use
   * only the repositories passed in — on SQLite the outer store waits until the transaction ends.
   * Nested calls join the outer transaction.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;

  /**
   * Key rotation: decrypts every stored secret with the current key and encrypts it under `next`
   * in one transaction, including the key check value; from then on this store uses `next`.
   * Throws `integrity` (and changes nothing) if any secret does not open with the current key.
   * Other processes still holding the old key must be restarted with the new one.
   */
  reencryptSecrets(next: SecretBox): Promise<ReencryptResult>;

  /** Key id of the key the store currently encrypts with. */
  readonly keyId: string;

  /** Closes the database. Further calls fail. */
  close(): Promise<void>;
}
