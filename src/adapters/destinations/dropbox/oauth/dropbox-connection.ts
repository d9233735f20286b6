import { createDropboxTokenCache } from '../dropbox-auth.ts';
import type { FetchLike } from '../dropbox-fetch.ts';
import { createDropboxSdk, type DropboxSdk } from '../dropbox-sdk.ts';
import { classifyDropboxFailure } from '../dropbox.errors.ts';
import { DBackupError } from '../../../../core/errors.ts';
import type { DropboxAppCredentials } from '../../../../ports/dropbox-authorization.port.ts';

/** How long one Dropbox call of the web app (status, code exchange, revoke) may take. */
export const DROPBOX_CALL_TIMEOUT_MS = 15_000;

export type { DropboxAppCredentials } from '../../../../ports/dropbox-authorization.port.ts';

export interface DropboxConnectionOptions {
  /** Emulator base URL; `undefined` = real Dropbox (or `DBACKUP_DROPBOX_API_URL`). */
  apiBaseUrl: string | undefined;
  /** Underlying fetch (tests); default global fetch. */
  fetch?: FetchLike;
}

/** A fetch that gives up after `DROPBOX_CALL_TIMEOUT_MS` unless the caller brought a signal. */
export function timeoutFetch(base: FetchLike = (input, init) => globalThis.fetch(input, init)): FetchLike {
  return (input, init) => base(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(DROPBOX_CALL_TIMEOUT_MS) });
}

/**
 * An SDK client for one web-app call. A fresh token cache means a stored refresh token is really
 * exchanged for a new access token, so a status check proves the authorization still works.
 */
export function sdkFor(credentials: DropboxAppCredentials, options: DropboxConnectionOptions, refreshToken?: string): DropboxSdk {
  return createDropboxSdk({
    ...credentials,
    refreshToken,
    apiBaseUrl: options.apiBaseUrl,
    fetch: timeoutFetch(options.fetch),
    tokenCache: createDropboxTokenCache(),
  });
}

/** Classifies a failure of a web-app Dropbox call (unreachable → `unavailable` with the fix). */
export function dropboxCallError(error: unknown, operation: string, apiBaseUrl: string | undefined): DBackupError {
  const classified = classifyDropboxFailure(error, { operation });
  if (classified.error.code === 'transient' || classified.unreachable) {
    const target = apiBaseUrl ? `the Dropbox API at ${apiBaseUrl} (DBACKUP_DROPBOX_API_URL)` : 'Dropbox';
    return new DBackupError('unavailable', `Cannot reach ${target} right now (${classified.error.message}). Check the network of the DBackup host and try again.`, {
      cause: error,
      retryable: true,
    });
  }
  return classified.error;
}

/** Revokes a refresh token (and every access token minted from it). Best effort: never throws. */
export async function revokeRefreshToken(credentials: DropboxAppCredentials, refreshToken: string, options: DropboxConnectionOptions): Promise<boolean> {
  try {
    await sdkFor(credentials, options, refreshToken).client.authTokenRevoke();
    return true;
  } catch (error) {
    // An already-dead token cannot be refreshed to revoke it: that is the outcome we wanted.
    const code = dropboxCallError(error, 'auth/token/revoke', options.apiBaseUrl).code;
    if (code !== 'authorization_required') console.warn(`Could not revoke the previous Dropbox token (${code}).`);
    return false;
  }
}
