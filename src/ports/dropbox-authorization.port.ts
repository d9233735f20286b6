/**
 * The Dropbox calls behind the web app's "Authorize with Dropbox" flow and the destination status
 * view. The flow itself (single-use state, PKCE, callback checks) stays in the HTTP interface;
 * the adapter speaks to Dropbox (or the emulator). Every failure is a `DBackupError` whose message
 * says what to do.
 */
export interface DropboxAppCredentials {
  appKey: string;
  appSecret: string;
}

/** What the token endpoint grants for an authorization code. */
export interface DropboxGrant {
  accessToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  refreshToken: string;
  accountId: string;
}

/** The account a refresh token reaches, with its space usage when Dropbox reports it. */
export interface DropboxAccountCheck {
  account: { name: string; email: string };
  usage?: { used: number; allocated?: number };
}

export interface DropboxAuthorizationGateway {
  /** Where the browser is sent to authorize (query parameters are added by the flow). */
  readonly authorizeEndpoint: string;
  /** A PKCE (RFC 7636) S256 pair: the verifier is kept, the challenge sent. */
  createPkcePair(): { verifier: string; challenge: string };
  /** Exchanges an authorization code (with the App Secret and the PKCE verifier). */
  exchangeCode(credentials: DropboxAppCredentials, input: { code: string; codeVerifier: string; redirectUri: string }): Promise<DropboxGrant>;
  /** The account's display name, asked with a freshly granted access token. */
  accountName(credentials: DropboxAppCredentials, grant: DropboxGrant): Promise<string>;
  /** Revokes a refresh token (and its access tokens). Best effort: false when it could not. */
  revoke(credentials: DropboxAppCredentials, refreshToken: string): Promise<boolean>;
  /**
   * Proves a stored refresh token still works: refreshes it, reads the account, lists `folderPath`
   * (a missing folder is fine) so a missing scope shows up by name, and reads the space usage.
   */
  checkAccount(credentials: DropboxAppCredentials, refreshToken: string, folderPath: string): Promise<DropboxAccountCheck>;
}
