import { open, readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DBackupError, throwIfAborted } from '../../../core/errors.ts';
import type { Destination, StoredFile } from '../../../ports/destination.port.ts';
import { localBrowseFolders, localContentHash, localTestConnection, localUsage } from './local-capabilities.ts';
import { errnoCode, fsCall, localFsError, type LocalFailureContext } from './local-errors.ts';
import { isTempName, isTempNameFor, pathForFolder, pathForKey } from './local-paths.ts';
import { fileReadable } from './local-read.ts';
import { writeFileAtomically } from './local-write.ts';

export interface LocalDestinationOptions {
  /** Folder that holds the backups; created on the first write or connection test. */
  basePath: string;
}

const DEFAULT_TEXT_BYTES = 1024 * 1024;

/**
 * A destination on a local (or mounted) file system below `basePath`.
 *
 * Writes are atomic (temp file, fsync, rename, folder fsync; see `writeFileAtomically`) and temp
 * files never show up in `list`. Deleting a file leaves its (possibly empty) folder in place, as
 * Dropbox does: a folder removed under a concurrent write into it would make that write fail, and
 * empty job folders are harmless. The base folder itself is never removed.
 *
 * Errors are `DBackupError`s: `not_found` ("No backup file at <key> in <base>"), `quota_exceeded`
 * (disk full), `unavailable` (permissions, read-only disk), `conflict` (a file where a folder must
 * be), `invalid_input` (bad key, read offset past the end), `too_large`, `cancelled`.
 */
export function createLocalDestination(options: LocalDestinationOptions): Destination {
  const basePath = resolve(options.basePath);
  const contextFor = (action: string, key: string, path: string): LocalFailureContext => ({ action, key, path, basePath });

  async function* walk(folder: string, keyPrefix: string, signal: AbortSignal | undefined): AsyncGenerator<StoredFile> {
    const context = contextFor('list', keyPrefix, folder);
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return; // a missing prefix lists nothing
      throw localFsError(error, context);
    }
    for (const entry of entries) {
      throwIfAborted(signal);
      const key = keyPrefix === '' ? entry.name : `${keyPrefix}/${entry.name}`;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        yield* walk(path, key, signal);
        continue;
      }
      if (isTempName(entry.name) || !(entry.isFile() || entry.isSymbolicLink())) continue;
      const info = await stat(path).catch((error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return undefined; // deleted while we listed
        throw localFsError(error, contextFor('list', key, path));
      });
      if (info?.isFile()) yield { key, size: info.size, modifiedAt: info.mtime };
    }
  }

  return {
    kind: 'local',

    async write(key, source, writeOptions = {}) {
      const path = pathForKey(basePath, key);
      const size = await writeFileAtomically(path, source, writeOptions, contextFor('write', key, path));
      const info = await fsCall(stat(path), contextFor('check', key, path));
      return { key, size, modifiedAt: info.mtime };
    },

    async read(key, readOptions = {}) {
      const path = pathForKey(basePath, key);
      const context = contextFor('read', key, path);
      throwIfAborted(readOptions.signal);
      const handle = await fsCall(open(path, 'r'), context);
      try {
        const info = await fsCall(handle.stat(), context);
        if (!info.isFile()) throw localFsError({ code: 'ENOENT' }, context);
        const offset = readOptions.offset ?? 0;
        if (offset > info.size) {
          throw new DBackupError('invalid_input', `Cannot read "${key}" from byte ${offset}: it has only ${info.size} bytes.`);
        }
        return fileReadable(handle, { ...readOptions, offset }, context);
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw error;
      }
    },

    async stat(key, callOptions = {}) {
      const path = pathForKey(basePath, key);
      throwIfAborted(callOptions.signal);
      const info = await stat(path).catch((error: unknown) => {
        const code = errnoCode(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw localFsError(error, contextFor('check', key, path));
      });
      return info?.isFile() ? { key, size: info.size, modifiedAt: info.mtime } : undefined;
    },

    async *list(prefix, callOptions = {}) {
      yield* walk(pathForFolder(basePath, prefix), prefix, callOptions.signal);
    },

    async delete(key, callOptions = {}) {
      const path = pathForKey(basePath, key);
      throwIfAborted(callOptions.signal);
      try {
        await unlink(path);
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') return; // already gone
        if (code === 'EISDIR' || (code === 'EPERM' && (await stat(path).catch(() => undefined))?.isDirectory())) {
          throw new DBackupError('conflict', `Cannot delete "${key}": it is a folder in ${basePath}, not a file.`, { cause: error });
        }
        throw localFsError(error, contextFor('delete', key, path));
      }
    },

    async readText(key, textOptions = {}) {
      const path = pathForKey(basePath, key);
      const context = contextFor('read', key, path);
      const maxBytes = textOptions.maxBytes ?? DEFAULT_TEXT_BYTES;
      throwIfAborted(textOptions.signal);
      const handle = await fsCall(open(path, 'r'), context);
      try {
        const info = await fsCall(handle.stat(), context);
        if (!info.isFile()) throw localFsError({ code: 'ENOENT' }, context);
        if (info.size > maxBytes) throw tooLarge(key, info.size, maxBytes);
        const data = await fsCall(handle.readFile(), context);
        if (data.length > maxBytes) throw tooLarge(key, data.length, maxBytes); // grew meanwhile
        return data.toString('utf8');
      } finally {
        await handle.close().catch(() => undefined);
      }
    },

    capabilities: {
      contentHash: (key, callOptions) => localContentHash(basePath, key, callOptions),
      usage: () => localUsage(basePath),
      browseFolders: (folder) => localBrowseFolders(basePath, folder),
      testConnection: (callOptions) => localTestConnection(basePath, callOptions),
      removeAbandonedWrites: (key) => removeAbandonedLocalWrites(basePath, key),
    },
  };
}

/** Deletes the `.<name>.<hex>.partial` files a killed process left while writing `key`. */
async function removeAbandonedLocalWrites(basePath: string, key: string): Promise<number> {
  const path = pathForKey(basePath, key);
  const folder = dirname(path);
  const name = basename(path);
  const entries = await readdir(folder).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return [] as string[];
    throw localFsError(error, { action: 'clean up', key, path, basePath });
  });
  const abandoned = entries.filter((entry) => isTempNameFor(entry, name));
  await Promise.all(abandoned.map((entry) => unlink(join(folder, entry)).catch(() => undefined)));
  return abandoned.length;
}

function tooLarge(key: string, size: number, maxBytes: number): DBackupError {
  return new DBackupError(
    'too_large',
    `"${key}" is ${size} bytes, more than the ${maxBytes} bytes allowed for a text file; it is probably not a DBackup metadata file.`,
    { details: { size, maxBytes } },
  );
}
