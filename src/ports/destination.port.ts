import type { Readable } from 'node:stream';

/**
 * A storage destination: where backups and their sidecars are kept.
 *
 * Keys are relative POSIX paths (`job-name/backup_2024-01-15T12-00-00.sql.gz`). Adapters never see
 * an invalid key: the storage facade (`core/storage.ts`) rejects empty, absolute and `..` keys first.
 * Every failure is a `DBackupError` (see `core/errors.ts`) whose message tells the user what to do.
 */
export interface Destination {
  /** Adapter type, e.g. `local` or `dropbox`. */
  readonly kind: string;

  /**
   * Stores the bytes of `source` under `key`, replacing an existing file. Atomic for readers: the
   * file is either complete or absent, never partial. Streams in bounded memory whatever the size.
   * `size`, when given, lets adapters pick an upload strategy and refuse oversize files up front.
   */
  write(key: string, source: Readable, options?: WriteOptions): Promise<StoredFile>;

  /** Opens the file for reading, from `offset` when given. Throws `not_found` when missing. */
  read(key: string, options?: ReadOptions): Promise<Readable>;

  /** Metadata of one file, or `undefined` when nothing is stored under `key`. */
  stat(key: string, options?: CallOptions): Promise<StoredFile | undefined>;

  /**
   * Every file below `prefix` (recursive; `''` lists everything), keys relative to the
   * destination's root. Order is unspecified. A missing prefix yields nothing, not an error.
   */
  list(prefix: string, options?: CallOptions): AsyncIterable<StoredFile>;

  /** Removes the file. Deleting a missing file is success. */
  delete(key: string, options?: CallOptions): Promise<void>;

  /** Reads a small text file (e.g. a `.meta.json` sidecar). Throws `too_large` above `maxBytes`. */
  readText(key: string, options?: ReadTextOptions): Promise<string>;

  /** Optional capabilities; callers check for presence and fall back when absent. */
  readonly capabilities: DestinationCapabilities;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface WriteOptions extends CallOptions {
  size?: number;
  /** Called with the total bytes sent so far. */
  onProgress?: (bytesSent: number) => void;
  /**
   * SHA-256 digests of the source's 4 MiB blocks, already computed upstream, for a destination
   * that needs them (Dropbox builds its content hash from them) instead of hashing the same bytes
   * again.
   */
  blockDigests?: BlockDigests;
}

/**
 * Digests of the 4 MiB blocks of a stream: `digest(i)` is the SHA-256 of bytes
 * [i × 4 MiB, (i + 1) × 4 MiB) of the stream (the last block may be shorter). A block's digest is
 * known once all of its bytes have been delivered downstream; the last block's once the stream has
 * ended. `undefined` means not known (any more): the reader then hashes the block itself.
 */
export interface BlockDigests {
  digest(index: number): Uint8Array | undefined;
}

export interface ReadOptions extends CallOptions {
  offset?: number;
  /** Called with the total bytes received so far. */
  onProgress?: (bytesReceived: number) => void;
}

export interface ReadTextOptions extends CallOptions {
  /** Default 1 MiB. */
  maxBytes?: number;
}

export interface StoredFile {
  key: string;
  size: number;
  modifiedAt: Date;
  /** Dropbox content hash (see `core/content-hash.ts`), when the destination knows it cheaply. */
  contentHash?: string;
}

export interface DestinationCapabilities {
  /**
   * Returns the Dropbox-style content hash of the stored file without downloading it (Dropbox) or
   * by reading it locally (local disk). Used to verify backups end to end.
   */
  contentHash?: (key: string, options?: CallOptions) => Promise<string>;
  /** Space used and allocated for the account or disk behind the destination. */
  usage?: (options?: CallOptions) => Promise<StorageUsage>;
  /** One level of folders below `folder` (`''` = the destination's root of the account). */
  browseFolders?: (folder: string, options?: CallOptions) => Promise<FolderListing>;
  /** Checks credentials, the folder (creating it when missing) and a write+delete probe. */
  testConnection?: (options?: CallOptions) => Promise<ConnectionReport>;
  /**
   * Removes what writes of `key` left behind when their process died mid-write (temporary files),
   * returning how many were removed. Only for destinations whose writes leave such traces; Dropbox
   * upload sessions simply expire. Call it only for keys no live process is writing.
   */
  removeAbandonedWrites?: (key: string, options?: CallOptions) => Promise<number>;
}

export interface StorageUsage {
  used: number;
  /** Undefined when the destination has no fixed allocation. */
  allocated?: number;
}

export interface FolderEntry {
  name: string;
  /** Absolute path in the account, as the user would type it into Folder Path (`/backups/db`). */
  path: string;
}

export interface FolderListing {
  /** The folder that was listed, `''` for the root. */
  path: string;
  /** Sorted by name, case-insensitively. */
  folders: FolderEntry[];
}

export interface ConnectionReport {
  account?: { name: string; email?: string };
  folder: { path: string; created: boolean };
  writeDelete: 'ok';
  usage?: StorageUsage;
}
