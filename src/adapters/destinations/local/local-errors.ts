import { DBackupError } from '../../../core/errors.ts';

/** What the local destination was doing when a file system call failed, for the message. */
export interface LocalFailureContext {
  /** Verb phrase: `write`, `read`, `list`, `delete`, `check`, `create the folder for`. */
  action: string;
  /** The storage key (or folder) concerned, as the user knows it. */
  key?: string;
  /** The file or folder on disk the call was about. */
  path: string;
  /** The destination's base folder. */
  basePath: string;
}

const TRANSIENT: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'EINTR', 'ETIMEDOUT']);

/** The `code` of a Node system error (`ENOENT`, …), if any. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps a Node file system error to a `DBackupError` that names the path and says what to do:
 * ENOENT → `not_found`; ENOSPC/EDQUOT → `quota_exceeded` (disk full); EACCES/EPERM/EROFS →
 * `unavailable` (fix permissions / mount read-write); ENOTDIR/EISDIR/EEXIST → `conflict`;
 * ENAMETOOLONG → `invalid_input`; EMFILE/EBUSY/… → retryable `transient`; EIO → `unavailable`;
 * anything else → `internal`. `DBackupError`s pass through. The original is kept as `cause`.
 */
export function localFsError(error: unknown, context: LocalFailureContext): DBackupError {
  if (error instanceof DBackupError) return error;
  const { action, key, path, basePath } = context;
  const code = errnoCode(error);
  const what = key === undefined ? path : `"${key}"`;
  const options = { cause: error, details: { path, code } };
  switch (code) {
    case 'ENOENT':
      return new DBackupError(
        'not_found',
        key === undefined ? `The folder ${path} does not exist.` : `No backup file at ${key} in ${basePath}.`,
        options,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new DBackupError(
        'quota_exceeded',
        `Could not ${action} ${what}: the disk holding ${basePath} is full (disk full or quota reached). ` +
          'Free up space or keep fewer backups, then try again.',
        { ...options, retryable: false },
      );
    case 'EACCES':
    case 'EPERM':
      return new DBackupError(
        'unavailable',
        `Could not ${action} ${what}: permission denied on ${path} (${code}). ` +
          `Fix the permissions of ${basePath} so the user running DBackup can read and write it.`,
        { ...options, retryable: false },
      );
    case 'EROFS':
      return new DBackupError(
        'unavailable',
        `Could not ${action} ${what}: ${basePath} is on a read-only file system. Mount it read-write or choose another folder.`,
        { ...options, retryable: false },
      );
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return new DBackupError(
        'conflict',
        `Could not ${action} ${what}: a file or folder of the same name is in the way at ${path}. Move it away and try again.`,
        options,
      );
    case 'ENAMETOOLONG':
      return new DBackupError('invalid_input', `Could not ${action} ${what}: the name is too long for the file system at ${basePath}.`, options);
    case 'EIO':
      return new DBackupError(
        'unavailable',
        `Could not ${action} ${what}: the disk holding ${basePath} reported an input/output error. Check the disk.`,
        options,
      );
    default:
      if (code !== undefined && TRANSIENT.has(code)) {
        return new DBackupError('transient', `Could not ${action} ${what} right now (${code}); DBackup will try again.`, options);
      }
      return new DBackupError(
        'internal',
        `Could not ${action} ${what} in ${basePath}: ${error instanceof Error ? error.message : String(error)}`,
        options,
      );
  }
}

/** Runs one file system call, turning its failure into `localFsError(…, context)`. */
export async function fsCall<T>(call: Promise<T>, context: LocalFailureContext): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw localFsError(error, context);
  }
}
