import type { Dropbox } from 'dropbox';
import type { SharedDropboxAuth } from './dropbox-auth.ts';
import type { FetchLike } from './dropbox-fetch.ts';
import type { DropboxPaths } from './dropbox-paths.ts';
import type { DropboxLogger, Retrier, RetryPolicy, Sleep } from './dropbox-retry.ts';

/** Tunables; defaults in `dropbox.destination.ts`. */
export interface DropboxSettings {
  /** Bytes per upload-session request; a multiple of 4 MiB. Two chunks are the upload's memory. */
  chunkSize: number;
  /** Files up to this size (and at most one chunk) go in one `files/upload` request. */
  simpleUploadMaxBytes: number;
  /** Largest file accepted (350 GB, the documented per-file limit). */
  maxFileBytes: number;
  /** `limit` for `files/list_folder` pages (1..2000). */
  listPageSize: number;
  retry: RetryPolicy;
}

/** What the destination's parts share. */
export interface DropboxContext {
  client: Dropbox;
  auth: SharedDropboxAuth;
  /** Origin-rewriting fetch for the requests we send ourselves. */
  fetch: FetchLike;
  retrier: Retrier;
  paths: DropboxPaths;
  settings: DropboxSettings;
  /** The retry loop's wait (replaceable in tests), for retries outside `retrier.run`. */
  sleep: Sleep;
  logger?: DropboxLogger;
  /** The emulator or other server in use (for messages); `undefined` = real Dropbox. */
  apiBaseUrl?: string;
}

/** Dropbox's real content host; the fetch rewrites it when an API base URL is configured. */
export const CONTENT_URL = 'https://content.dropboxapi.com/2';

/**
 * JSON for the `Dropbox-API-Arg` header: every character from U+007F up is written as a `\uXXXX`
 * escape, as Dropbox requires for header values.
 */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
