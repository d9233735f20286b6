/**
 * What DBackup backs up, where to, and with which keys: destinations, sources, encryption profiles.
 * Secret fields are `Secret` values in memory and AES-256-GCM ciphertexts at rest; repositories
 * encrypt and decrypt them. Every method may also throw `unavailable` (database unreachable) and
 * `integrity` (a stored secret cannot be decrypted with the current key).
 */
import type { Secret } from '../../core/secret.ts';

/** Jobs that use a record; returned by usage checks and in `conflict` error details. */
export interface JobRef {
  id: string;
  name: string;
}

export type DestinationType = 'local' | 'dropbox';

/** Non-secret settings; stored as JSON. Dropbox uses `folderPath`, local disk `basePath`. */
export interface DestinationConfig {
  folderPath?: string;
  basePath?: string;
  readonly [key: string]: unknown;
}

export type DestinationSecretName = 'appKey' | 'appSecret' | 'refreshToken';
export type DestinationSecrets = Partial<Record<DestinationSecretName, Secret>>;

export interface DestinationAuthorization {
  accountId: string;
  /** Display name of the Dropbox account, shown next to "Authorized". */
  accountName: string;
  authorizedAt: Date;
}

export interface DestinationRecord {
  id: string;
  type: DestinationType;
  name: string;
  config: DestinationConfig;
  /** App Key, App Secret and refresh token (Dropbox); all encrypted at rest. */
  secrets: DestinationSecrets;
  /** Who granted access, when a refresh token is stored. Not proof it still works. */
  authorization: DestinationAuthorization | undefined;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewDestination {
  type: DestinationType;
  name: string;
  config?: DestinationConfig;
  secrets?: DestinationSecrets;
}

export interface DestinationPatch {
  name?: string;
  /** Replaces the whole config when given. */
  config?: DestinationConfig;
  /** Per secret: `undefined` keeps the stored value (field left blank), `null` removes it. */
  secrets?: Partial<Record<DestinationSecretName, Secret | null>>;
}

export interface DestinationsRepository {
  create(input: NewDestination): Promise<DestinationRecord>;
  get(id: string): Promise<DestinationRecord | undefined>;
  list(): Promise<DestinationRecord[]>;
  /** Throws `not_found` for an unknown id. */
  update(id: string, patch: DestinationPatch): Promise<DestinationRecord>;
  /**
   * Stores a new refresh token and the account it belongs to, returning the token it replaced
   * (so the caller can revoke it after the switch). Throws `not_found` for an unknown id.
   */
  setAuthorization(
    id: string,
    input: { refreshToken: Secret; accountId: string; accountName: string },
  ): Promise<{ destination: DestinationRecord; previousRefreshToken: Secret | undefined }>;
  /** Forgets the refresh token and account. Throws `not_found` for an unknown id. */
  clearAuthorization(id: string): Promise<DestinationRecord>;
  /** Jobs that write to this destination. */
  usedBy(id: string): Promise<JobRef[]>;
  /** Throws `conflict` (details.jobs) while a job uses it; deleting a missing one is not an error. */
  delete(id: string): Promise<void>;
}

export type SourceType = 'postgres' | 'mysql' | 'mariadb' | 'sqlite';

export interface SourceRecord {
  id: string;
  type: SourceType;
  name: string;
  host: string | undefined;
  port: number | undefined;
  username: string | undefined;
  /** Encrypted at rest. */
  password: Secret | undefined;
  /** Database file for SQLite sources. */
  sqlitePath: string | undefined;
  /** Engine-specific non-secret options (TLS mode, socket path…); stored as JSON. */
  options: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSource {
  type: SourceType;
  name: string;
  host?: string;
  port?: number;
  username?: string;
  password?: Secret;
  sqlitePath?: string;
  options?: Record<string, unknown>;
}

export interface SourcePatch {
  name?: string;
  /** `null` clears the field. */
  host?: string | null;
  port?: number | null;
  username?: string | null;
  /** `undefined` keeps the stored password, `null` removes it. */
  password?: Secret | null;
  sqlitePath?: string | null;
  options?: Record<string, unknown>;
}

export interface SourcesRepository {
  create(input: NewSource): Promise<SourceRecord>;
  get(id: string): Promise<SourceRecord | undefined>;
  list(): Promise<SourceRecord[]>;
  /** Throws `not_found` for an unknown id. */
  update(id: string, patch: SourcePatch): Promise<SourceRecord>;
  usedBy(id: string): Promise<JobRef[]>;
  /** Throws `conflict` (details.jobs) while a job uses it; deleting a missing one is not an error. */
  delete(id: string): Promise<void>;
}

export interface EncryptionProfile {
  id: string;
  name: string;
  /** Public fingerprint of the key, written into backup headers and sidecars. */
  fingerprint: string;
  /** The 256-bit backup key as 64 hex characters; encrypted at rest. */
  key: Secret;
  createdAt: Date;
}

export interface EncryptionProfileUsage {
  jobs: JobRef[];
  /** Backups in the index encrypted with this profile. */
  backups: number;
}

export interface EncryptionProfilesRepository {
  /** Throws `conflict` when a profile with the same fingerprint exists. */
  create(input: { name: string; fingerprint: string; key: Secret }): Promise<EncryptionProfile>;
  get(id: string): Promise<EncryptionProfile | undefined>;
  findByFingerprint(fingerprint: string): Promise<EncryptionProfile | undefined>;
  list(): Promise<EncryptionProfile[]>;
  /** Throws `not_found` for an unknown id. */
  rename(id: string, name: string): Promise<EncryptionProfile>;
  usage(id: string): Promise<EncryptionProfileUsage>;
  /**
   * Throws `conflict` (details: jobs, backups) while a job or an indexed backup uses the profile:
   * deleting its key would make those backups unreadable. Deleting a missing one is not an error.
   */
  delete(id: string): Promise<void>;
}
