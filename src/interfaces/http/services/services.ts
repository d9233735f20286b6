/**
 * What the HTTP routes need from the rest of the application. The routes only translate between
 * HTTP and these calls; every rule (who may do what, validation, encryption) lives behind them.
 * Every method throws `DBackupError`s whose messages are shown to the user as they are.
 */
import type { DashboardService } from '../../../core/catalog/dashboard.service.ts';
import type { SourcesService } from '../../../core/catalog/sources.service.ts';
import type { WebhooksService } from '../../../core/notifications/webhooks.service.ts';
import type { EncryptionProfilesService } from '../../../core/encryption/encryption-profiles.service.ts';
import type { RestoreOperations } from '../../../core/explorer/restore-operation.ts';
import type { StorageExplorer } from '../../../core/explorer/storage-explorer.service.ts';
import type { JobsService } from '../../../core/jobs/jobs.service.ts';
import type { RunsService } from '../../../core/jobs/runs.service.ts';
import type { ConnectionReport, FolderListing, StorageUsage } from '../../../ports/destination.port.ts';
import type { DestinationInput } from '../destination-validation.ts';
import type { Principal } from '../router.ts';

export interface UserView {
  id: string;
  username: string;
}

export interface SignedIn {
  user: UserView;
  /** The secret cookie value; never logged. */
  sessionToken: string;
  expiresAt: Date;
}

export interface ApiTokenView {
  id: string;
  name: string;
  /** Safe-to-show start of the token, e.g. `dbk_AbC123xY`. */
  prefix: string;
  createdAt: string;
  lastUsedAt?: string;
}

export interface AccountsService {
  isSetupNeeded(): Promise<boolean>;
  /** Creates the first (admin) user and signs in. Throws `conflict` once any user exists. */
  setup(username: string, password: string): Promise<SignedIn>;
  /** `undefined` for a wrong username or password (no hint which). */
  login(username: string, password: string): Promise<SignedIn | undefined>;
  /** Ends the session; unknown tokens are ignored. */
  logout(sessionToken: string): Promise<void>;
  principalBySession(sessionToken: string): Promise<Principal | undefined>;
  principalByApiToken(token: string): Promise<Principal | undefined>;
  listApiTokens(userId: string): Promise<ApiTokenView[]>;
  /** The token text is returned here once and never again. */
  createApiToken(userId: string, name: string): Promise<ApiTokenView & { token: string }>;
  /** Throws `not_found` for another user's or an unknown token. */
  revokeApiToken(userId: string, tokenId: string): Promise<void>;
}

/** A destination as the API shows it: configuration, and only *whether* each secret is set. */
export interface DestinationView {
  id: string;
  type: 'dropbox' | 'local';
  name: string;
  config: Record<string, string>;
  secrets: Record<string, boolean>;
  createdAt: string;
  updatedAt: string;
}

export interface DestinationStatusView {
  state: 'authorized' | 'authorization_required' | 'ready' | 'error';
  /** A refresh token is stored (the UI then offers "Re-authorize"). */
  hasToken?: boolean;
  /** Why the state is not fine, and what to do. */
  message?: string;
  /** Machine-readable reason: `revoked`, `missing_scope`, `invalid_client`, `unreachable`, ... */
  reason?: string;
  requiredScope?: string;
  account?: { name: string; email?: string };
  usage?: StorageUsage;
}

export interface DestinationsService {
  list(): Promise<DestinationView[]>;
  /** Throws `not_found`. */
  get(id: string): Promise<DestinationView>;
  /** Throws `invalid_input` with `details.fields` (field → message). */
  create(input: DestinationInput): Promise<DestinationView>;
  /** Blank secrets keep the stored value. Throws `not_found`, `invalid_input`. */
  update(id: string, input: DestinationInput): Promise<DestinationView>;
  /** Throws `not_found`. Revokes a stored Dropbox token on a best-effort basis. */
  remove(id: string): Promise<void>;
  /** Verified live (token refresh + account call for Dropbox); never throws for provider failures. */
  status(id: string): Promise<DestinationStatusView>;
  /** One level of folders. Throws `authorization_required` until authorized. */
  browse(id: string, folder: string): Promise<FolderListing>;
  testConnection(id: string): Promise<ConnectionReport>;
}

export interface OAuthCallbackQuery {
  state: string | undefined;
  code: string | undefined;
  error: string | undefined;
  errorDescription: string | undefined;
}

export interface DropboxAuthorizationService {
  /** `${PUBLIC_URL}/api/adapters/dropbox/callback`, to register in the App Console. */
  readonly redirectUri: string;
  /** Builds the consent URL (single-use state bound to user + destination, PKCE S256, offline). */
  start(userId: string, destinationId: string): Promise<{ authorizeUrl: string }>;
  /**
   * Validates the state, exchanges the code, stores the refresh token encrypted, revokes the
   * previous one. Throws a `DBackupError` whose message is shown on the destinations page.
   */
  complete(userId: string, query: OAuthCallbackQuery): Promise<{ destinationId: string; accountName: string }>;
}

/**
 * The backup engine as the API sees it (sources, jobs, runs, encryption profiles, the storage
 * explorer with restores, the dashboard). These are the core services themselves; their views
 * carry `Date`s, which JSON turns into ISO 8601 text.
 */
export interface BackupServices {
  sources: SourcesService;
  jobs: JobsService;
  runs: RunsService;
  profiles: EncryptionProfilesService;
  explorer: StorageExplorer;
  restores: RestoreOperations;
  dashboard: DashboardService;
  /** Notification webhooks. */
  webhooks: WebhooksService;
  /** Schedule presets offered in the job form (name → cron expression). */
  schedulePresets: Readonly<Record<string, string>>;
}
