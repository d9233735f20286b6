import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupTransforms } from '../../ports/backup-transforms.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { BackupRecord, DestinationRecord, Job, Repositories } from '../../ports/metadata-store.port.ts';
import { sidecarKeyFor } from '../backup/backup-naming.ts';
import { parseSidecar, type BackupSidecar } from '../backup/sidecar.ts';
import { HashingPassThrough } from '../content-hash.ts';
import { DBackupError, isDBackupError } from '../errors.ts';
import { parseBackupKey, plainDumpName, requireBackupKey } from './backup-keys.ts';
import { listBackupFolders, type ExplorerListing } from './list-backups.ts';

export interface BackupDownload {
  fileName: string;
  contentType: string;
  /** Known for stored downloads; decrypted sizes are unknown until the end. */
  size?: number;
  stream: Readable;
}

export interface VerifyResult {
  ok: boolean;
  /** `content_hash`: the destination computed it (no download); `download`: read and hashed here. */
  method: 'content_hash' | 'download';
  message: string;
  verifiedAt?: Date;
}

export interface StorageExplorer {
  /** Job folders and their complete backups (file + sidecar). Throws `not_found` for an unknown destination. */
  list(destinationId: string, signal?: AbortSignal): Promise<ExplorerListing>;
  /**
   * Streams a backup: `stored` as kept (compressed/encrypted), `decrypted` as the plain SQL dump.
   * The key is found (by the fingerprint) before anything is returned, so a missing key fails
   * here with `not_found`; corruption found while streaming destroys the stream with `integrity`.
   */
  download(destinationId: string, key: string, mode: 'stored' | 'decrypted', signal?: AbortSignal): Promise<BackupDownload>;
  /** Deletes the backup, then its sidecar, then its index entry. Missing files are not an error. */
  remove(destinationId: string, key: string, signal?: AbortSignal): Promise<void>;
  /**
   * Compares the stored file with its sidecar's hashes: by the destination's content hash when it
   * can compute one, else by downloading and hashing. Records success in the backups index.
   */
  verify(destinationId: string, key: string, signal?: AbortSignal): Promise<VerifyResult>;
}

export interface StorageExplorerOptions {
  store: Pick<Repositories, 'destinations' | 'jobs' | 'backups' | 'encryptionProfiles'>;
  /** The destination behind the storage facade (core/storage.ts). */
  openDestination: (record: DestinationRecord) => Destination;
  transforms: BackupTransforms;
  keyForFingerprint: (fingerprint: string) => Promise<Uint8Array | undefined>;
  clock: Clock;
}

/** Per destination: browse backups, download (stored or decrypted), delete and verify them. */
export function createStorageExplorer(options: StorageExplorerOptions): StorageExplorer {
  const { store } = options;

  async function open(destinationId: string): Promise<{ record: DestinationRecord; storage: Destination }> {
    const record = await store.destinations.get(destinationId);
    if (!record) throw new DBackupError('not_found', 'No such destination. It may have been deleted.');
    return { record, storage: options.openDestination(record) };
  }

  async function readSidecar(storage: Destination, key: string, signal?: AbortSignal): Promise<BackupSidecar | undefined> {
    try {
      return parseSidecar(await storage.readText(sidecarKeyFor(key), { signal }), sidecarKeyFor(key));
    } catch (error) {
      if (isDBackupError(error, 'not_found')) return undefined;
      throw error;
    }
  }

  async function keyFor(fingerprint: string): Promise<Uint8Array> {
    const key = await options.keyForFingerprint(fingerprint);
    if (!key) {
      throw new DBackupError('not_found', `This backup is encrypted with key ${fingerprint}, and no encryption profile here has that key. Import the exported key of that profile, then try again.`, { details: { fingerprint } });
    }
    return key;
  }

  /** The index entry for a verified backup, created from the sidecar when the index lacks it. */
  async function indexEntry(destinationId: string, key: string, sidecar: BackupSidecar): Promise<BackupRecord> {
    const existing = await store.backups.findByKey(destinationId, key);
    if (existing) return existing;
    const folder = parseBackupKey(key)?.folder ?? '';
    const job: Job | undefined = (await store.jobs.get(sidecar.job.id)) ?? (await store.jobs.findByFolderName(folder));
    const profile = sidecar.encryption ? await store.encryptionProfiles.findByFingerprint(sidecar.encryption.keyFingerprint) : undefined;
    return store.backups.record({
      destinationId, key, size: sidecar.storedSize, createdAt: new Date(sidecar.startedAt), sha256: sidecar.sha256, contentHash: sidecar.contentHash,
      compression: sidecar.compression, meta: { sidecar },
      ...(job ? { jobId: job.id } : {}), ...(profile ? { encryptionProfileId: profile.id } : {}),
    });
  }

  return {
    async list(destinationId, signal) {
      const { record, storage } = await open(destinationId);
      return listBackupFolders({ store, record, storage, signal });
    },

    async download(destinationId, key, mode, signal) {
      const parts = requireBackupKey(key);
      const { storage } = await open(destinationId);
      if (mode === 'stored') {
        const stat = await storage.stat(key, { signal });
        if (!stat) throw new DBackupError('not_found', `${key} is not there any more. Refresh the list.`);
        return { fileName: parts.fileName, contentType: 'application/octet-stream', size: stat.size, stream: await storage.read(key, { signal }) };
      }
      const sidecar = await readSidecar(storage, key, signal);
      const compression = sidecar?.compression ?? parts.compression;
      const encrypted = sidecar ? sidecar.encryption !== null : parts.encrypted;
      let secretKey: Uint8Array | undefined;
      if (encrypted) {
        const fingerprint = sidecar?.encryption?.keyFingerprint ?? options.transforms.keyFingerprintOf(await firstBytes(await storage.read(key, { signal }), 64));
        secretKey = await keyFor(fingerprint);
      }
      let stream: Readable = await storage.read(key, { signal });
      if (secretKey) stream = stream.compose(options.transforms.decrypt(secretKey));
      stream = stream.compose(options.transforms.decompress(compression));
      return { fileName: plainDumpName(parts.fileName), contentType: 'application/sql', stream };
    },

    async remove(destinationId, key, signal) {
      requireBackupKey(key);
      const { storage } = await open(destinationId);
      // File first, sidecar second (as retention does): a failure in between leaves at worst a
      // sidecar without its backup, which is never listed as a backup.
      await storage.delete(key, { signal });
      await storage.delete(sidecarKeyFor(key), { signal });
      await store.backups.delete(destinationId, key);
    },

    async verify(destinationId, key, signal) {
      requireBackupKey(key);
      const { storage } = await open(destinationId);
      const sidecar = await readSidecar(storage, key, signal);
      if (!sidecar) {
        return { ok: false, method: 'download', message: `${key} has no sidecar, so there is no recorded hash to compare with. Restore or download it to check it by decrypting it.` };
      }
      const stat = await storage.stat(key, { signal });
      if (!stat) throw new DBackupError('not_found', `${key} is not there any more. Refresh the list.`);
      const contentHash = storage.capabilities.contentHash;
      let result: VerifyResult;
      if (stat.size !== sidecar.storedSize) {
        result = { ok: false, method: contentHash ? 'content_hash' : 'download', message: `${key} has ${stat.size} bytes, but the backup recorded ${sidecar.storedSize}. It is damaged or incomplete; use another copy.` };
      } else if (contentHash) {
        const actual = await contentHash(key, { signal });
        result = actual === sidecar.contentHash
          ? { ok: true, method: 'content_hash', message: `Content hash matches the sidecar (checked by the destination, without downloading).` }
          : { ok: false, method: 'content_hash', message: `${key} is damaged: its content hash is ${actual}, but the backup recorded ${sidecar.contentHash}. Use another copy or an older backup.` };
      } else {
        const hashing = new HashingPassThrough();
        await pipeline(await storage.read(key, { signal }), hashing, new Writable({ write: (_chunk, _encoding, done) => done() }), { signal });
        const { sha256, contentHash: actual } = hashing.result;
        result = sha256 === sidecar.sha256 && actual === sidecar.contentHash
          ? { ok: true, method: 'download', message: 'Downloaded and hashed: SHA-256 and content hash match the sidecar.' }
          : { ok: false, method: 'download', message: `${key} is damaged: its SHA-256 is ${sha256}, but the backup recorded ${sidecar.sha256}. Use another copy or an older backup.` };
      }
      if (!result.ok) return result;
      const entry = await indexEntry(destinationId, key, sidecar);
      await store.backups.markVerified(entry.id);
      const verifiedAt = (await store.backups.get(entry.id))?.verifiedAt ?? options.clock.now();
      return { ...result, verifiedAt };
    },
  };
}

/** The first `count` bytes of a stream (fewer if it is shorter); the stream is destroyed afterwards. */
async function firstBytes(stream: Readable, count: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= count) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, count);
}
