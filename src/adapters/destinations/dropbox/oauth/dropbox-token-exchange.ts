import { DBackupError } from '../../../../core/errors.ts';
import { createDropboxFetch } from '../dropbox-fetch.ts';
import { timeoutFetch, type DropboxAppCredentials, type DropboxConnectionOptions } from './dropbox-connection.ts';

const TOKEN_URL = 'https://api.dropboxapi.com/oauth2/token';

export interface ExchangedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  accountId: string;
}

/**
 * Exchanges an authorization code at the token endpoint, sending the App Secret AND the PKCE
 * verifier (the SDK's `getAccessTokenFromCode` drops the verifier when a secret is set). The
 * request goes through the Dropbox fetch, so `DBACKUP_DROPBOX_API_URL` redirects it too.
 * Errors are classified by the OAuth `error` field: `invalid_client` (wrong key/secret),
 * `invalid_grant` (expired/used code, redirect URI or verifier mismatch), network → `unavailable`.
 */
export async function exchangeAuthorizationCode(
  credentials: DropboxAppCredentials,
  input: { code: string; codeVerifier: string; redirectUri: string },
  options: DropboxConnectionOptions,
): Promise<ExchangedTokens> {
  const fetch = createDropboxFetch({ apiBaseUrl: options.apiBaseUrl, fetch: timeoutFetch(options.fetch) });
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
    client_id: credentials.appKey,
    client_secret: credentials.appSecret,
    code_verifier: input.codeVerifier,
  });
  let response: Response;
  try {
    response = await fetch(TOKEN_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  } catch (cause) {
    const target = options.apiBaseUrl ? `the Dropbox API at ${options.apiBaseUrl}` : 'Dropbox';
    throw new DBackupError('unavailable', `Cannot reach ${target} to finish the authorization. Check the network of the DBackup host, then click Authorize with Dropbox again.`, { cause });
  }
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Non-JSON bodies are handled by status below.
  }
  if (!response.ok) throw tokenError(response.status, json, input.redirectUri);
  const { access_token: accessToken, refresh_token: refreshToken, account_id: accountId, expires_in: expiresIn } = json;
  if (typeof accessToken !== 'string' || typeof accountId !== 'string') {
    throw new DBackupError('internal', 'Dropbox answered the code exchange without an access token or account id.');
  }
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    throw new DBackupError('authorization_required', 'Dropbox did not grant offline access (no refresh token). Click Authorize with Dropbox again.');
  }
  return { accessToken, refreshToken, accountId, expiresIn: typeof expiresIn === 'number' ? expiresIn : 14_400 };
}

function tokenError(status: number, body: Record<string, unknown>, redirectUri: string): DBackupError {
  if (status >= 500 || status === 429) {
    return new DBackupError('unavailable', `Dropbox could not finish the authorization right now (HTTP ${status}). Click Authorize with Dropbox again in a minute.`);
  }
  // Older replies fold the reason into the field: "invalid_client: Invalid client_id or client_secret".
  const field = typeof body.error === 'string' ? (body.error.split(':')[0] ?? '').trim() : '';
  if (field === 'invalid_client') {
    return new DBackupError(
      'authorization_required',
      `Dropbox rejected the App Key or App Secret. Copy both again from the Dropbox App Console (Settings tab), save the destination, and authorize again. The Redirect URI registered there must be exactly ${redirectUri}.`,
      { details: { tokenError: field, redirectUri } },
    );
  }
  return new DBackupError(
    'authorization_required',
    `Dropbox refused the authorization code (${field || `HTTP ${status}`}): it expired, was already used, or the redirect URI did not match. Make sure ${redirectUri} is registered as a Redirect URI in the Dropbox App Console, then click Authorize with Dropbox again.`,
    { details: { tokenError: field, redirectUri } },
  );
}
