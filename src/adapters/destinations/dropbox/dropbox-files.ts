import type { files } from 'dropbox';
import { isDBackupError } from '../../../core/errors.ts';
import type { DropboxContext } from './dropbox-context.ts';

/** What an upload must have produced. */
export interface Expected {
  hash: string;
  size: number;
}

/** Identifies one stored file: by content (hash and size) or by revision. */
export type FileMatch = Expected | { rev: string };

function matches(file: files.FileMetadata, match: FileMatch): boolean {
  return 'rev' in match ? file.rev === match.rev : file.content_hash === match.hash && file.size === match.size;
}

/** Metadata at `path`, or `undefined` when nothing is there. Other failures throw. */
export async function getMetadata(
  context: DropboxContext,
  path: string,
  signal?: AbortSignal,
): Promise<files.FileMetadataReference | files.FolderMetadataReference | files.DeletedMetadataReference | undefined> {
  try {
    return await context.retrier.run({ operation: 'files/get_metadata', path, signal }, async () => {
      const response = await context.client.filesGetMetadata({ path }, { signal });
      return response.result;
    });
  } catch (error) {
    if (isDBackupError(error, 'not_found')) return undefined;
    throw error;
  }
}

/** The file at `path`, or `undefined` when there is none (a folder there counts as none). */
export async function getFileMetadata(context: DropboxContext, path: string, signal?: AbortSignal): Promise<files.FileMetadataReference | undefined> {
  const metadata = await getMetadata(context, path, signal);
  return metadata?.['.tag'] === 'file' ? metadata : undefined;
}

/**
 * Deletes the file at `path`. Missing is success, and so is a folder there: `delete_v2` would
 * remove a folder with everything below it, which a destination's `delete(key)` must never do.
 * `parent_rev` pins the revision we looked at, so a file replaced meanwhile is left alone.
 */
export async function deleteFile(context: DropboxContext, path: string, signal?: AbortSignal, only?: FileMatch): Promise<void> {
  const file = await getFileMetadata(context, path, signal);
  if (file === undefined || (only !== undefined && !matches(file, only))) return;
  try {
    await context.retrier.run({ operation: 'files/delete_v2', path, signal }, async () => {
      await context.client.filesDeleteV2({ path, parent_rev: file.rev }, { signal });
    });
  } catch (error) {
    if (isDBackupError(error, 'not_found')) return;
    throw error;
  }
}

/** The file at `path` if it is exactly what we uploaded (same content hash and size). */
export async function findCommitted(context: DropboxContext, path: string, expected: Expected, signal?: AbortSignal): Promise<files.FileMetadata | undefined> {
  const file = await getFileMetadata(context, path, signal);
  return file !== undefined && file.content_hash === expected.hash && file.size === expected.size ? file : undefined;
}

/**
 * Best-effort removal of a file we committed but must not keep (cancelled mid-commit, integrity
 * failure). Runs without the caller's (possibly aborted) signal, bounded by a timeout, and never
 * throws: the caller is already reporting the real failure.
 */
export async function deleteCommitted(context: DropboxContext, path: string, match: FileMatch): Promise<void> {
  try {
    await deleteFile(context, path, AbortSignal.timeout(30_000), match);
  } catch {
    // Reported by the caller's own error; a leftover is visible to the user and harmless to readers.
  }
}
