import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ContentHasher } from '../../../core/content-hash.ts';
import { DBackupError, throwIfAborted } from '../../../core/errors.ts';
import type { CallOptions, ConnectionReport, FolderListing, StorageUsage } from '../../../ports/destination.port.ts';
import { errnoCode, fsCall, localFsError } from './local-errors.ts';
import { pathForFolder, pathForKey } from './local-paths.ts';

const HASH_CHUNK_BYTES = 1024 * 1024;
const byName = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Dropbox content hash of a stored file, by reading it. Throws `not_found` when missing. */
export async function localContentHash(basePath: string, key: string, options: CallOptions = {}): Promise<string> {
  const path = pathForKey(basePath, key);
  const context = { action: 'hash', key, path, basePath };
  const handle = await fsCall(open(path, 'r'), context);
  try {
    if (!(await fsCall(handle.stat(), context)).isFile()) throw localFsError({ code: 'ENOENT' }, context);
    const hasher = new ContentHasher();
    const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    for (let position = 0; ; ) {
      throwIfAborted(options.signal);
      const { bytesRead } = await fsCall(handle.read(buffer, 0, buffer.length, position), context);
      if (bytesRead === 0) return hasher.digest();
      hasher.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Used and total bytes of the file system holding `basePath` (or its nearest existing parent). */
export async function localUsage(basePath: string): Promise<StorageUsage> {
  let path = basePath;
  for (;;) {
    try {
      const fs = await statfs(path);
      return { used: (fs.blocks - fs.bfree) * fs.bsize, allocated: fs.blocks * fs.bsize };
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || dirname(path) === path) {
        throw localFsError(error, { action: 'measure the disk of', path, basePath });
      }
      path = dirname(path);
    }
  }
}

/**
 * Folders (not files) directly inside `folder` (`''` or `/a/b`, relative to `basePath`), sorted by
 * name case-insensitively. Throws `not_found` when the folder does not exist.
 */
export async function localBrowseFolders(basePath: string, folder: string): Promise<FolderListing> {
  const path = pathForFolder(basePath, folder);
  const context = { action: 'browse', key: folder === '' ? '/' : folder, path, basePath };
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new DBackupError('not_found', `No folder ${folder} in ${basePath}.`, { cause: error });
    }
    throw localFsError(error, context);
  }
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) names.push(entry.name);
    else if (entry.isSymbolicLink() && (await stat(join(path, entry.name)).catch(() => undefined))?.isDirectory()) {
      names.push(entry.name);
    }
  }
  names.sort((a, b) => byName.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0));
  return { path: folder, folders: names.map((name) => ({ name, path: `${folder}/${name}` })) };
}

/**
 * Checks that `basePath` exists (creating it when missing) and that a file can be written and
 * deleted there. Throws the mapped file system error (permissions, read-only, disk full).
 */
export async function localTestConnection(basePath: string, options: CallOptions = {}): Promise<ConnectionReport> {
  const context = { action: 'use', path: basePath, basePath };
  throwIfAborted(options.signal);
  const existing = await stat(basePath).catch((error: unknown) => {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw localFsError(error, context);
  });
  if (existing && !existing.isDirectory()) throw localFsError({ code: 'ENOTDIR' }, context);
  if (!existing) await fsCall(mkdir(basePath, { recursive: true }), { ...context, action: 'create' });
  // Named like a temp file, so a probe left by a crash stays out of listings.
  const probe = join(basePath, `.dbackup-probe.${randomBytes(6).toString('hex')}.partial`);
  await fsCall(writeFile(probe, 'DBackup connection test\n', { flag: 'wx' }), { ...context, action: 'write a test file in', path: probe });
  await fsCall(unlink(probe), { ...context, action: 'delete the test file in', path: probe });
  return { folder: { path: basePath, created: !existing }, writeDelete: 'ok', usage: await localUsage(basePath) };
}
