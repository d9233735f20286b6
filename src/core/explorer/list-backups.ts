import type { Destination, StoredFile } from '../../ports/destination.port.ts';
import type { BackupRecord, DestinationRecord, Repositories } from '../../ports/metadata-store.port.ts';
import { isSidecarKey, sidecarKeyFor, type CompressionKind } from '../backup/backup-naming.ts';
import { parseSidecar, type BackupSidecar } from '../backup/sidecar.ts';
import { isDBackupError } from '../errors.ts';
import { parseBackupKey } from './backup-keys.ts';

export interface ExplorerBackup {
  key: string;
  fileName: string;
  /** When the backup started (the sidecar's time; the name's time when the sidecar is damaged). */
  takenAt: Date;
  storedSize: number;
  /** Size of the plain dump. */
  originalSize?: number;
  compression: CompressionKind;
  encrypted: boolean;
  keyFingerprint?: string;
  /** The profile here holding the key, when there is one (else decrypting needs an import). */
  profileName?: string;
  database?: string;
  sourceType?: string;
  engineVersion?: string;
  /** From the backups index; absent = never verified. */
  verifiedAt?: Date;
  /** Set when the sidecar cannot be read; the backup cannot be trusted until verified another way. */
  problem?: string;
}

export interface ExplorerFolder {
  name: string;
  /** The job writing into this folder, when one does. */
  jobId?: string;
  jobName?: string;
  /** Newest first. */
  backups: ExplorerBackup[];
  /** Backup files without a sidecar (half-made or foreign); not listed. */
  incomplete: number;
}

export interface ExplorerListing {
  destinationId: string;
  destinationName: string;
  /** Sorted by name. */
  folders: ExplorerFolder[];
}

interface ListContext {
  store: Pick<Repositories, 'jobs' | 'backups' | 'encryptionProfiles'>;
  record: DestinationRecord;
  storage: Destination;
  signal?: AbortSignal;
}

const SIDECAR_READS_AT_ONCE = 8;

/**
 * Lists a destination's job folders with their complete backups: a backup file counts only when its
 * sidecar sits beside it. Facts come from the backups index when it has the sidecar, otherwise the
 * sidecar is read (a few at a time).
 */
export async function listBackupFolders(context: ListContext): Promise<ExplorerListing> {
  const { store, record, storage, signal } = context;
  const files = new Map<string, StoredFile>();
  for await (const file of storage.list('', { signal })) files.set(file.key, file);

  const [jobs, indexed, profiles] = await Promise.all([
    store.jobs.list(),
    store.backups.list({ destinationId: record.id, limit: 1_000_000 }),
    store.encryptionProfiles.list(),
  ]);
  const indexByKey = new Map(indexed.map((entry) => [entry.key, entry]));
  const profileByFingerprint = new Map(profiles.map((profile) => [profile.fingerprint, profile.name]));
  const folders = new Map<string, ExplorerFolder>();
  const folderOf = (name: string): ExplorerFolder => {
    let folder = folders.get(name.toLowerCase());
    if (!folder) {
      const job = jobs.find((candidate) => candidate.folderName.toLowerCase() === name.toLowerCase());
      folder = { name, backups: [], incomplete: 0, ...(job ? { jobId: job.id, jobName: job.name } : {}) };
      folders.set(name.toLowerCase(), folder);
    }
    return folder;
  };

  // Jobs writing here show their folder even before (or after) it holds backups.
  for (const job of jobs) if (job.destinationIds.includes(record.id)) folderOf(job.folderName);

  const pending: Array<{ folder: ExplorerFolder; file: StoredFile }> = [];
  for (const file of files.values()) {
    if (isSidecarKey(file.key)) continue;
    const parts = parseBackupKey(file.key);
    if (!parts) continue;
    const folder = folderOf(parts.folder);
    if (!files.has(sidecarKeyFor(file.key))) folder.incomplete += 1;
    else pending.push({ folder, file });
  }

  const describe = async ({ folder, file }: { folder: ExplorerFolder; file: StoredFile }) => {
    const entry = indexByKey.get(file.key);
    let sidecar = sidecarFromIndex(entry);
    let problem: string | undefined;
    if (!sidecar) {
      try {
        sidecar = parseSidecar(await storage.readText(sidecarKeyFor(file.key), { signal }), sidecarKeyFor(file.key));
      } catch (error) {
        if (!isDBackupError(error) || error.code === 'cancelled' || error.code === 'authorization_required') throw error;
        problem = error.message;
      }
    }
    folder.backups.push(toBackup(file, sidecar, entry, problem, profileByFingerprint));
  };
  for (let i = 0; i < pending.length; i += SIDECAR_READS_AT_ONCE) {
    await Promise.all(pending.slice(i, i + SIDECAR_READS_AT_ONCE).map(describe));
  }

  for (const folder of folders.values()) folder.backups.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || b.key.localeCompare(a.key));
  return {
    destinationId: record.id,
    destinationName: record.name,
    folders: [...folders.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function sidecarFromIndex(entry: BackupRecord | undefined): BackupSidecar | undefined {
  const value = entry?.meta.sidecar;
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    return parseSidecar(JSON.stringify(value), entry!.key);
  } catch {
    return undefined;
  }
}

function toBackup(file: StoredFile, sidecar: BackupSidecar | undefined, entry: BackupRecord | undefined, problem: string | undefined, profiles: Map<string, string>): ExplorerBackup {
  const parts = parseBackupKey(file.key)!;
  const fingerprint = sidecar?.encryption?.keyFingerprint;
  const profileName = fingerprint ? profiles.get(fingerprint) : undefined;
  return {
    key: file.key,
    fileName: parts.fileName,
    takenAt: sidecar ? new Date(sidecar.startedAt) : parts.takenAt,
    storedSize: file.size,
    compression: sidecar?.compression ?? parts.compression,
    encrypted: sidecar ? sidecar.encryption !== null : parts.encrypted,
    ...(sidecar ? { originalSize: sidecar.originalSize, database: sidecar.database, sourceType: sidecar.source.type, engineVersion: sidecar.source.engineVersion } : {}),
    ...(fingerprint ? { keyFingerprint: fingerprint } : {}),
    ...(profileName ? { profileName } : {}),
    ...(entry?.verifiedAt ? { verifiedAt: entry.verifiedAt } : {}),
    ...(problem ? { problem } : {}),
  };
}
