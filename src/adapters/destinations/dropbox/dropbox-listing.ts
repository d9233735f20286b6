import type { files } from 'dropbox';
import { isDBackupError } from '../../../core/errors.ts';
import { normalizeFolderPath } from '../../../core/storage-key.ts';
import type { FolderEntry, FolderListing, StoredFile } from '../../../ports/destination.port.ts';
import type { DropboxContext } from './dropbox-context.ts';

type Entry = files.ListFolderResult['entries'][number];

/**
 * Every page of `files/list_folder` (+ `/continue`) for `path`. A missing folder (or a file at
 * that path) yields nothing when `missingIsEmpty`, else throws `not_found`.
 */
async function* listPages(
  context: DropboxContext,
  path: string,
  recursive: boolean,
  missingIsEmpty: boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<Entry[]> {
  let page: files.ListFolderResult;
  try {
    page = await context.retrier.run({ operation: 'files/list_folder', path, signal }, async () => {
      const response = await context.client.filesListFolder(
        { path, recursive, limit: context.settings.listPageSize, include_deleted: false },
        { signal },
      );
      return response.result;
    });
  } catch (error) {
    if (missingIsEmpty && isDBackupError(error, 'not_found')) return;
    throw error;
  }
  yield page.entries;
  while (page.has_more) {
    const { cursor } = page;
    page = await context.retrier.run({ operation: 'files/list_folder/continue', path, signal }, async () => {
      const response = await context.client.filesListFolderContinue({ cursor }, { signal });
      return response.result;
    });
    yield page.entries;
  }
}

export function toStoredFile(key: string, file: files.FileMetadata): StoredFile {
  return { key, size: file.size, modifiedAt: new Date(file.server_modified), contentHash: file.content_hash };
}

/**
 * Files below the destination folder + `prefix` (a folder, `''` = everything), recursively, with
 * keys relative to the destination folder. Membership is decided case-insensitively on
 * `path_lower`; keys keep Dropbox's display casing. A missing folder yields nothing.
 */
export async function* listFiles(context: DropboxContext, prefix: string, signal?: AbortSignal): AsyncGenerator<StoredFile> {
  const root = context.paths.folderOf(prefix);
  for await (const entries of listPages(context, root, true, true, signal)) {
    for (const entry of entries) {
      if (entry['.tag'] !== 'file') continue;
      const key = context.paths.keyOf(entry);
      if (key !== undefined) yield toStoredFile(key, entry);
    }
  }
}

/**
 * One level of folders below `folder` (an account path as typed into Folder Path, `''` = root
 * or the app folder), all pages, sorted by name case-insensitively. Throws `not_found` when the
 * folder does not exist, `invalid_input` for a malformed path.
 */
export async function browseFolders(context: DropboxContext, folder: string, signal?: AbortSignal): Promise<FolderListing> {
  const path = normalizeFolderPath(folder.trim());
  const folders: FolderEntry[] = [];
  for await (const entries of listPages(context, path, false, false, signal)) {
    for (const entry of entries) {
      if (entry['.tag'] !== 'folder') continue;
      folders.push({ name: entry.name, path: entry.path_display ?? `${path}/${entry.name}` });
    }
  }
  folders.sort((a, b) => {
    const left = a.name.toLowerCase();
    const right = b.name.toLowerCase();
    if (left !== right) return left < right ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return { path, folders };
}
