import { normalizeFolderPath } from '../../../core/storage-key.ts';

/**
 * Where the destination's keys live in Dropbox. `folderPath` is `''` (the Dropbox root, or the
 * app folder for app-folder apps) or `/a/b` as the user typed it; keys are relative POSIX paths
 * already validated by the storage facade.
 */
export interface DropboxPaths {
  /** `''` or `/a/b`. */
  readonly folder: string;
  /** Dropbox path of a key: `/a/b/job/file.sql.gz`. */
  pathOf(key: string): string;
  /** Dropbox path of a list prefix (a folder below the root); `''` is the root itself. */
  folderOf(prefix: string): string;
  /**
   * The key for a listed entry, or `undefined` when the entry is not below the folder.
   * Membership is decided on `path_lower` (Dropbox is case-insensitive); the key keeps the
   * `path_display` casing.
   */
  keyOf(entry: { path_lower?: string; path_display?: string }): string | undefined;
}

export function createDropboxPaths(folderPath: string): DropboxPaths {
  const folder = normalizeFolderPath(folderPath.trim());
  const folderLower = folder.toLowerCase();
  const depth = folder === '' ? 0 : folder.split('/').length - 1;
  const join = (rest: string): string => (rest === '' ? folder : `${folder}/${rest}`);
  return {
    folder,
    pathOf: join,
    folderOf: join,
    keyOf(entry) {
      const lower = entry.path_lower;
      const display = entry.path_display;
      if (lower === undefined || display === undefined) return undefined;
      if (folder !== '' && !lower.startsWith(`${folderLower}/`)) return undefined;
      // Count components rather than characters: lower-casing can change a string's length.
      const parts = display.split('/').slice(1 + depth);
      return parts.length === 0 || parts.includes('') ? undefined : parts.join('/');
    },
  };
}
