/**
 * Accounts, sessions, API tokens and pending OAuth authorizations.
 * Every method may also throw `unavailable` when the database cannot be reached.
 */
import type { Secret } from '../../core/secret.ts';

export interface User {
  id: string;
  /** As entered; uniqueness is case-insensitive. */
  username: string;
  /** PHC string from the PasswordHasher port. */
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface UsersRepository {
  /** Throws `conflict` when the username is taken (compared case-insensitively). */
  create(input: { username: string; passwordHash: string }): Promise<User>;
  get(id: string): Promise<User | undefined>;
  /** Case-insensitive lookup. */
  findByUsername(username: string): Promise<User | undefined>;
  /** Number of accounts; 0 means first run (offer admin setup). */
  count(): Promise<number>;
  list(): Promise<User[]>;
  /** Throws `not_found` for an unknown user. */
  updatePasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Removes the user with their sessions, tokens and pending authorizations; false if absent. */
  delete(id: string): Promise<boolean>;
}

export interface Session {
  /** SHA-256 of the cookie value (see core/tokens.ts); the value is never stored. */
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface SessionsRepository {
  /** Throws `not_found` when the user does not exist. */
  create(input: { idHash: string; userId: string; csrfToken: string; expiresAt: Date }): Promise<Session>;
  /** The session when it exists and has not expired (by the store's clock), else `undefined`. */
  findActive(idHash: string): Promise<Session | undefined>;
  /** Sliding expiry: sets `expiresAt` and `lastSeenAt = now`. A missing session is ignored. */
  touch(idHash: string, expiresAt: Date): Promise<void>;
  /** Logout. A missing session is not an error. */
  delete(idHash: string): Promise<void>;
  /** Ends every session of a user (password change). Returns how many ended. */
  deleteForUser(userId: string): Promise<number>;
  /** Housekeeping; returns how many were removed. */
  deleteExpired(): Promise<number>;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  /** First characters of the token, safe to display (e.g. `dbk_AbC123xY`). */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | undefined;
}

export interface ApiTokensRepository {
  /** Stores the hash of a freshly generated token. Throws `not_found` for an unknown user. */
  create(input: { userId: string; name: string; tokenHash: string; prefix: string }): Promise<ApiToken>;
  /** Authenticates a request: the token whose SHA-256 is `tokenHash`, if any. */
  findByHash(tokenHash: string): Promise<ApiToken | undefined>;
  list(userId: string): Promise<ApiToken[]>;
  /** Records use now (by the store's clock). */
  markUsed(id: string): Promise<void>;
  /** Revokes a token of that user; false when there was none. */
  delete(id: string, userId: string): Promise<boolean>;
}

/** How long an OAuth `state` stays valid. */
export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

export interface OAuthState {
  userId: string;
  destinationId: string;
  /** PKCE code verifier (stored encrypted). */
  codeVerifier: Secret;
  /** The redirect URI used in the authorize URL; the token exchange must send the same. */
  redirectUri: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Why `consume` refused a state; in `DBackupError.details.reason`. */
export type OAuthStateRefusal = 'unknown' | 'expired' | 'other_user';

export interface OAuthStatesRepository {
  /**
   * Records a pending authorization under `state` (only its hash is stored). Expires after
   * `ttlMs` (default 10 minutes). Throws `not_found` for an unknown user or destination.
   */
  create(input: {
    state: string;
    userId: string;
    destinationId: string;
    codeVerifier: Secret;
    redirectUri: string;
    ttlMs?: number;
  }): Promise<OAuthState>;

  /**
   * Single use: atomically removes and returns the pending authorization for `state` if it
   * belongs to `userId`. Throws `invalid_input` with `details.reason`:
   * - `unknown`: never issued or already used;
   * - `expired`: older than its TTL (it is removed as well);
   * - `other_user`: issued to another account (left in place for its owner).
   */
  consume(state: string, userId: string): Promise<OAuthState>;

  /** Housekeeping; returns how many expired states were removed. */
  deleteExpired(): Promise<number>;
}
