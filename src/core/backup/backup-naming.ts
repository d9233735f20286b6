import { DBackupError } from '../errors.ts';

/** Compression and encryption choices that shape a backup's file name. */
export type CompressionKind = 'none' | 'gzip' | 'zstd';

/** File-name suffix per compression: `backup_….sql` + `.gz` / `.zst`. */
export const COMPRESSION_EXTENSIONS: Readonly<Record<CompressionKind, string>> = { none: '', gzip: '.gz', zstd: '.zst' };

export const SIDECAR_SUFFIX = '.meta.json';

/** `2024-01-15T12:00:00.123Z` → `2024-01-15T12-00-00` (UTC, colons are not portable in names). */
export function formatBackupTimestamp(at: Date): string {
  return at.toISOString().slice(0, 19).replaceAll(':', '-');
}

/** `backup_<UTC YYYY-MM-DDTHH-mm-ss>.sql[.gz|.zst][.enc]`, the layout the spec documents. */
export function backupFileName(at: Date, compression: CompressionKind, encrypted: boolean): string {
  return `backup_${formatBackupTimestamp(at)}.sql${COMPRESSION_EXTENSIONS[compression]}${encrypted ? '.enc' : ''}`;
}

export function sidecarKeyFor(backupKey: string): string {
  return `${backupKey}${SIDECAR_SUFFIX}`;
}

export function isSidecarKey(key: string): boolean {
  return key.endsWith(SIDECAR_SUFFIX);
}

const BACKUP_NAME_PATTERN = /^backup_(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.sql(\.gz|\.zst)?(\.enc)?$/;

export interface ParsedBackupName {
  takenAt: Date;
  compression: CompressionKind;
  encrypted: boolean;
}

/** Reads a backup file name back; `undefined` for anything that is not one of ours. */
export function parseBackupFileName(name: string): ParsedBackupName | undefined {
  const match = BACKUP_NAME_PATTERN.exec(name);
  if (!match) return undefined;
  const [, day, hours, minutes, seconds, compressionExt, encExt] = match;
  const takenAt = new Date(`${day}T${hours}:${minutes}:${seconds}Z`);
  if (Number.isNaN(takenAt.getTime())) return undefined;
  const compression: CompressionKind = compressionExt === '.gz' ? 'gzip' : compressionExt === '.zst' ? 'zstd' : 'none';
  return { takenAt, compression, encrypted: encExt === '.enc' };
}

// Names Dropbox refuses or its sync clients ignore, compared case-insensitively.
const REFUSED_NAMES = new Set(['.dropbox', '.dropbox.attr', 'desktop.ini', 'thumbs.db', '.ds_store', 'icon\r']);
const MAX_FOLDER_NAME_LENGTH = 100;

/**
 * Turns a job name into a folder name that every destination accepts: letters, digits, `-`, `_`
 * and `.` kept (unicode letters too), everything else collapsed to `-`, no leading/trailing dots or
 * dashes, bounded length. Throws `invalid_input` when nothing usable is left.
 */
export function jobFolderName(jobName: string): string {
  const folded = jobName
    .normalize('NFC')
    .trim()
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, MAX_FOLDER_NAME_LENGTH)
    .replace(/[.-]+$/g, '');
  if (folded === '' || REFUSED_NAMES.has(folded.toLowerCase())) {
    throw new DBackupError('invalid_input', `The job name "${jobName}" leaves no usable folder name. Use letters or digits in the name.`);
  }
  return folded;
}

/**
 * Picks a folder name for a job that no other job uses, compared case-insensitively (Dropbox paths
 * are case-insensitive): `nightly`, then `nightly-2`, `nightly-3`, …
 */
export function uniqueJobFolderName(jobName: string, foldersInUse: Iterable<string>): string {
  const taken = new Set([...foldersInUse].map((name) => name.toLowerCase()));
  const base = jobFolderName(jobName);
  if (!taken.has(base.toLowerCase())) return base;
  for (let suffix = 2; ; suffix++) {
    const candidate = `${base}-${suffix}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
