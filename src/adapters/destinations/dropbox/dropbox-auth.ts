import { createHash } from 'node:crypto';
import { DropboxAuth, type DropboxAuthOptions } from 'dropbox';

/**
 * The parts of the SDK's `DropboxAuth` we use. Its published typings omit most of them, so we
 * describe them here (SDK 10.47 `src/auth.js`).
 */
interface SdkAuth {
  getAccessToken(): string | undefined;
  setAccessToken(token: string | undefined): void;
  getAccessTokenExpiresAt(): Date | undefined;
  setAccessTokenExpiresAt(expiresAt: Date | undefined): void;
  getRefreshToken(): string | undefined;
  setRefreshToken(token: string): void;
  getClientId(): string;
  setClientId(clientId: string): void;
  setClientSecret(clientSecret: string): void;
  checkAndRefreshAccessToken(): Promise<void>;
  refreshAccessToken(scope?: string[] | null): Promise<void>;
  getAuthenticationUrl(
    redirectUri: string,
    state?: string,
    authType?: 'code' | 'token',
    tokenAccessType?: 'offline' | 'online' | 'legacy' | null,
    scope?: string[] | null,
    includeGrantedScopes?: 'none' | 'user' | 'team',
    usePKCE?: boolean,
  ): Promise<string>;
  getAccessTokenFromCode(redirectUri: string, code: string): Promise<{ result: unknown }>;
  setCodeVerifier(verifier: string): void;
  getCodeVerifier(): string | undefined;
}

const SdkAuthBase = DropboxAuth as unknown as new (options: DropboxAuthOptions) => SdkAuth;

/** A refresh at the token endpoint failed; `cause` is the SDK's error (or a network error). */
export class TokenRefreshError extends Error {
  constructor(cause: unknown) {
    super('Refreshing the Dropbox access token failed.', { cause });
    this.name = 'TokenRefreshError';
  }
}

/**
 * The SDK's `DropboxAuth` (its expiry check with a 5-minute margin, its token request) with two
 * changes: concurrent callers share ONE refresh request (single-flight), and a caller whose
 * request was answered `expired_access_token` can drop exactly the token it used.
 *
 * The access token lives only in this object's memory; it is never stored or logged.
 */
export class SharedDropboxAuth extends SdkAuthBase {
  #refreshing: Promise<void> | undefined;
  #refreshes = 0;

  override refreshAccessToken(scope?: string[] | null): Promise<void> {
    if (scope) return super.refreshAccessToken(scope);
    this.#refreshing ??= super
      .refreshAccessToken()
      .then(
        () => {
          this.#refreshes += 1;
        },
        (error: unknown) => {
          throw new TokenRefreshError(error);
        },
      )
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** A valid access token, refreshing first when it is missing or about to expire. */
  async currentAccessToken(): Promise<string> {
    await this.checkAndRefreshAccessToken();
    const token = this.getAccessToken();
    if (token === undefined || token === '') {
      throw new TokenRefreshError(new Error('the token endpoint returned no access token'));
    }
    return token;
  }

  /** Forgets `token` if it is still the current one, so the next call refreshes. */
  invalidateAccessToken(token: string | undefined): void {
    if (token !== undefined && this.getAccessToken() === token) {
      this.setAccessToken(undefined);
      this.setAccessTokenExpiresAt(undefined);
    }
  }

  /** How many refreshes succeeded through this object (diagnostics and tests). */
  get refreshCount(): number {
    return this.#refreshes;
  }
}

/** Shares one `SharedDropboxAuth` per credential (app key + secret + refresh token + API URL). */
export type DropboxTokenCache = Map<string, SharedDropboxAuth>;

export function createDropboxTokenCache(): DropboxTokenCache {
  return new Map();
}

/** The process-wide cache used unless a caller (a test) brings its own. */
export const processTokenCache: DropboxTokenCache = createDropboxTokenCache();

/** Cache key: a digest, so the secrets are not kept twice in readable form. */
export function credentialKey(parts: { appKey: string; appSecret: string; refreshToken: string; apiBaseUrl?: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([parts.appKey, parts.appSecret, parts.refreshToken, parts.apiBaseUrl ?? '']))
    .digest('hex');
}
