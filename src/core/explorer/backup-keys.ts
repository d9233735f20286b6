import { isSidecarKey, parseBackupFileName, type ParsedBackupName } from '../backup/backup-naming.ts';
import { DBackupError } from '../errors.ts';

export interface BackupKeyParts extends ParsedBackupName {
  /** The job folder (`nightly`). */
  folder: string;
  /** `backup_2024-01-15T12-00-00.sql.gz.enc`. */
  fileName: string;
}

/** `folder/backup_….sql[.gz|.zst][.enc]` split into its parts; `undefined` for anything else. */
export function parseBackupKey(key: string): BackupKeyParts | undefined {
  if (isSidecarKey(key)) return undefined;
  const parts = key.split('/');
  if (parts.length !== 2) return undefined;
  const [folder, fileName] = parts as [string, string];
  if (folder === '') return undefined;
  const parsed = parseBackupFileName(fileName);
  return parsed ? { ...parsed, folder, fileName } : undefined;
}

/** Like `parseBackupKey`, but throws `invalid_input` saying what a backup key looks like. */
export function requireBackupKey(key: string): BackupKeyParts {
  const parts = parseBackupKey(key);
  if (!parts) {
    throw new DBackupError('invalid_input', `"${key}" is not a backup in DBackup's layout (job-folder/backup_<time>.sql[.gz|.zst][.enc]).`, { details: { fields: { key: 'Not a backup file.' } } });
  }
  return parts;
}

/** The name of the plain SQL dump inside a backup: `backup_2024-01-15T12-00-00.sql`. */
export function plainDumpName(fileName: string): string {
  return fileName.replace(/(\.gz|\.zst)?(\.enc)?$/, '');
}
