import { DBackupError } from '../../../core/errors.ts';
import type { Destination } from '../../../ports/destination.port.ts';
import { getUsage, testConnection, withQuotaFigures } from './dropbox-account.ts';
import type { DropboxTokenCache } from './dropbox-auth.ts';
import type { DropboxContext, DropboxSettings } from './dropbox-context.ts';
import { downloadText, openDownloadStream } from './dropbox-download.ts';
import type { FetchLike } from './dropbox-fetch.ts';
import { deleteFile, getFileMetadata } from './dropbox-files.ts';
import { browseFolders, listFiles, toStoredFile } from './dropbox-listing.ts';
import { createDropboxPaths } from './dropbox-paths.ts';
import { abortableSleep, createRetrier, DEFAULT_RETRY_POLICY, type DropboxLogger, type RetryPolicy, type Sleep } from './dropbox-retry.ts';
import { createDropboxSdk } from './dropbox-sdk.ts';
import { uploadFile } from './dropbox-upload.ts';

/** What the user configures (the refresh token comes from the OAuth flow). */
export interface DropboxDestinationConfig {
  appKey: string;
  appSecret: string;
  refreshToken: string;
  /** `''` = the Dropbox root (or the app folder for app-folder apps); otherwise `/backups` style. */
  folderPath: string;
}

/** Wiring and tuning; all optional. */
export interface DropboxDestinationOptions {
  /** Send every Dropbox call here instead (the emulator); default `DBACKUP_DROPBOX_API_URL`. */
  apiBaseUrl?: string;
  env?: Record<string, string | undefined>;
  fetch?: FetchLike;
  tokenCache?: DropboxTokenCache;
  /** Upload-session chunk size: a multiple of 4 MiB, at most 148 MiB. Default 16 MiB. */
  chunkSize?: number;
  /** Largest file sent as one `files/upload` (never more than one chunk). Default 150 MiB. */
  simpleUploadMaxBytes?: number;
  /** Default 350 GB (350 × 10⁹ bytes), Dropbox's documented per-file limit. */
  maxFileBytes?: number;
  /** `files/list_folder` page size, 1..2000. Default 2000. */
  listPageSize?: number;
  retry?: Partial<RetryPolicy>;
  /** Replaces the retry waits (tests record them instead of sleeping). */
  sleep?: Sleep;
  logger?: DropboxLogger;
}

const MIB = 1024 * 1024;
const MAX_REQUEST_BYTES = 150 * MIB;

function settingsFrom(options: DropboxDestinationOptions): DropboxSettings {
  const chunkSize = options.chunkSize ?? 16 * MIB;
  if (!Number.isInteger(chunkSize) || chunkSize <= 0 || chunkSize % (4 * MIB) !== 0 || chunkSize > MAX_REQUEST_BYTES) {
    throw new DBackupError('invalid_input', `The Dropbox chunk size must be a multiple of 4 MiB up to 148 MiB, got ${chunkSize} bytes.`);
  }
  const listPageSize = options.listPageSize ?? 2000;
  if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > 2000) {
    throw new DBackupError('invalid_input', `The Dropbox list page size must be 1..2000, got ${listPageSize}.`);
  }
  return {
    chunkSize,
    // One request's bytes stay in memory for resending, so a simple upload never exceeds a chunk.
    simpleUploadMaxBytes: Math.min(options.simpleUploadMaxBytes ?? MAX_REQUEST_BYTES, chunkSize),
    maxFileBytes: options.maxFileBytes ?? 350e9,
    listPageSize,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
  };
}

/**
 * A destination in Dropbox, through the official SDK. Capabilities: contentHash (from metadata,
 * no download), usage, browseFolders, testConnection.
 *
 * Errors are `DBackupError`s classified from the API's error tags (see `dropbox.errors.ts`):
 * transient failures and rate limits are retried here; what remains tells the user what to do
 * (re-authorize, enable a permission, free space). Throws `invalid_input` right away for bad
 * settings and `authorization_required` when there is no refresh token yet.
 */
export function createDropboxDestination(config: DropboxDestinationConfig, options: DropboxDestinationOptions = {}): Destination {
  if (config.refreshToken.trim() === '') {
    throw new DBackupError('authorization_required', 'Dropbox is not authorized yet. Click Authorize with Dropbox in the destination settings.');
  }
  const settings = settingsFrom(options);
  const sdk = createDropboxSdk({
    appKey: config.appKey,
    appSecret: config.appSecret,
    refreshToken: config.refreshToken,
    apiBaseUrl: options.apiBaseUrl,
    env: options.env,
    fetch: options.fetch,
    tokenCache: options.tokenCache,
  });
  const context: DropboxContext = {
    client: sdk.client,
    auth: sdk.auth,
    fetch: sdk.fetch,
    paths: createDropboxPaths(config.folderPath),
    settings,
    sleep: options.sleep ?? abortableSleep,
    logger: options.logger,
    apiBaseUrl: sdk.apiBaseUrl,
    retrier: createRetrier({ auth: sdk.auth, policy: settings.retry, sleep: options.sleep, logger: options.logger, apiBaseUrl: sdk.apiBaseUrl }),
  };
  const { paths } = context;

  return {
    kind: 'dropbox',
    async write(key, source, writeOptions) {
      const metadata = await withQuotaFigures(context, () => uploadFile(context, paths.pathOf(key), source, writeOptions));
      return toStoredFile(key, metadata);
    },
    read: (key, readOptions) => openDownloadStream(context, paths.pathOf(key), readOptions),
    async stat(key, callOptions) {
      const file = await getFileMetadata(context, paths.pathOf(key), callOptions?.signal);
      return file === undefined ? undefined : toStoredFile(key, file);
    },
    list: (prefix, callOptions) => listFiles(context, prefix, callOptions?.signal),
    delete: (key, callOptions) => deleteFile(context, paths.pathOf(key), callOptions?.signal),
    readText: (key, textOptions) => downloadText(context, paths.pathOf(key), textOptions?.maxBytes ?? MIB, textOptions?.signal),
    capabilities: {
      async contentHash(key, callOptions) {
        const path = paths.pathOf(key);
        const file = await getFileMetadata(context, path, callOptions?.signal);
        if (file?.content_hash === undefined) throw new DBackupError('not_found', `Nothing found in Dropbox at ${path}.`);
        return file.content_hash;
      },
      usage: (callOptions) => getUsage(context, callOptions?.signal),
      browseFolders: (folder, callOptions) => browseFolders(context, folder, callOptions?.signal),
      testConnection: (callOptions) => testConnection(context, callOptions?.signal),
    },
  };
}
