import { Dropbox, type DropboxAuth } from 'dropbox';
import { DBackupError } from '../../../core/errors.ts';
import { credentialKey, processTokenCache, SharedDropboxAuth, type DropboxTokenCache } from './dropbox-auth.ts';
import { createDropboxFetch, resolveDropboxApiBaseUrl, rewriteDropboxUrl, type FetchLike } from './dropbox-fetch.ts';

export interface DropboxSdkOptions {
  appKey: string;
  appSecret: string;
  /** Omit while authorizing (the web app's OAuth code exchange); set for everything else. */
  refreshToken?: string;
  /** Overrides `DBACKUP_DROPBOX_API_URL`. */
  apiBaseUrl?: string;
  /** Environment to read `DBACKUP_DROPBOX_API_URL` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The underlying fetch (default `globalThis.fetch`); the origin rewriting wraps it. */
  fetch?: FetchLike;
  /** Where access tokens are shared per credential (default: one cache per process). */
  tokenCache?: DropboxTokenCache;
}

export interface DropboxSdk {
  /** The official SDK client; every request goes through `fetch` below. */
  client: Dropbox;
  /** Token manager (single-flight refresh); also offers the SDK's OAuth URL and code exchange. */
  auth: SharedDropboxAuth;
  /** The origin-rewriting fetch, for requests we send ourselves (streaming downloads). */
  fetch: FetchLike;
  /** `undefined` for real Dropbox. */
  apiBaseUrl: string | undefined;
  /** Maps a Dropbox URL (e.g. the SDK's authorize URL) onto the configured server. */
  rewriteUrl(url: string): string;
}

/**
 * Builds the official Dropbox SDK client wired to our fetch, so one setting (`apiBaseUrl` or
 * `DBACKUP_DROPBOX_API_URL`) redirects the api, content and token hosts alike. With a refresh
 * token, the token manager is shared by every client for the same credential, so access tokens
 * are refreshed once for all of them. Throws `invalid_input` for a bad base URL or missing app key.
 */
export function createDropboxSdk(options: DropboxSdkOptions): DropboxSdk {
  if (options.appKey.trim() === '' || options.appSecret.trim() === '') {
    throw new DBackupError(
      'invalid_input',
      'Dropbox needs both an App Key and an App Secret. Copy them from the Dropbox App Console (Settings tab).',
    );
  }
  const apiBaseUrl = resolveDropboxApiBaseUrl(options.apiBaseUrl, options.env);
  const fetch = createDropboxFetch({ apiBaseUrl, fetch: options.fetch });
  const newAuth = (): SharedDropboxAuth =>
    new SharedDropboxAuth({
      clientId: options.appKey,
      clientSecret: options.appSecret,
      refreshToken: options.refreshToken,
      fetch,
    });

  let auth: SharedDropboxAuth;
  if (options.refreshToken === undefined || options.refreshToken === '') {
    auth = newAuth();
  } else {
    const cache = options.tokenCache ?? processTokenCache;
    const key = credentialKey({ ...options, refreshToken: options.refreshToken, apiBaseUrl });
    auth = cache.get(key) ?? newAuth();
    cache.set(key, auth);
  }
  // The SDK's typings claim getAccessToken() always returns a string; ours admit `undefined`.
  const client = new Dropbox({ auth: auth as unknown as DropboxAuth, fetch });
  return { client, auth, fetch, apiBaseUrl, rewriteUrl: (url) => rewriteDropboxUrl(url, apiBaseUrl) };
}
