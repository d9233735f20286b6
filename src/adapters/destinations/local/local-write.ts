import { mkdir, open, rename, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { DBackupError, cancelledError, throwIfAborted } from '../../../core/errors.ts';
import { toStorageError } from '../../../core/storage.ts';
import { chunksOf } from '../../../core/stream-chunks.ts';
import type { WriteOptions } from '../../../ports/destination.port.ts';
import { fsCall, type LocalFailureContext } from './local-errors.ts';
import { tempNameFor } from './local-paths.ts';

/**
 * Streams `source` into `target` so readers see either the old file or the complete new one:
 * the bytes go to a temp file in the same folder (`.<name>.<hex>.partial`), which is fsynced,
 * renamed over `target`, and then the folder is fsynced so the rename survives a power cut.
 * Parent folders are created. On any failure or abort the temp file is removed and the source
 * destroyed. Memory holds one chunk at a time. Returns the number of bytes written.
 *
 * Errors: file system failures as mapped by `localFsError`; `quota_exceeded` up front when
 * `options.size` does not fit in the free space; `cancelled` when the signal fires; a failing
 * source as `internal` (or its own `DBackupError`).
 */
export async function writeFileAtomically(
  target: string,
  source: Readable,
  options: WriteOptions,
  context: LocalFailureContext,
): Promise<number> {
  const { signal, size, onProgress } = options;
  throwIfAborted(signal);
  const folder = dirname(target);
  const temp = join(folder, tempNameFor(basename(target)));
  const onAbort = (): void => {
    // The abort may come before the loop below reads the source; its error is reported by this
    // function (as `cancelled`), so it must not also surface as an unobserved stream error.
    source.on('error', () => undefined);
    source.destroy(cancelledError(signal?.reason));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let handle: FileHandle | undefined;
  let tempCreated = false;
  try {
    await fsCall(mkdir(folder, { recursive: true }), { ...context, action: 'create the folder for' });
    if (size !== undefined) await assertFits(folder, size, context);
    handle = await fsCall(open(temp, 'wx'), context);
    tempCreated = true;
    let written = 0;
    for await (const bytes of chunksOf(source)) {
      await fsCall(writeAll(handle, bytes), context);
      written += bytes.length;
      onProgress?.(written);
    }
    await fsCall(handle.sync(), context);
    await fsCall(handle.close(), context);
    handle = undefined;
    throwIfAborted(signal);
    await fsCall(rename(temp, target), context);
    tempCreated = false;
    await syncFolder(folder);
    return written;
  } catch (error) {
    if (!source.destroyed) source.destroy();
    await handle?.close().catch(() => undefined);
    if (tempCreated) await unlink(temp).catch(() => undefined);
    throw toStorageError(error, `Writing "${context.key ?? target}"`, 'local', signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  // A write may be partial; keep going until the whole chunk is on its way to disk.
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

async function assertFits(folder: string, size: number, context: LocalFailureContext): Promise<void> {
  const fs = await fsCall(statfs(folder), context);
  const free = fs.bavail * fs.bsize;
  if (size > free) {
    throw new DBackupError(
      'quota_exceeded',
      `Could not write "${context.key}": it needs ${size} bytes but the disk holding ${context.basePath} has only ` +
        `${free} bytes free (disk full). Free up space or keep fewer backups, then try again.`,
      { retryable: false, details: { size, free } },
    );
  }
}

/** Makes a rename in `folder` durable. Some platforms cannot fsync folders; that is not an error. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open folders; some file systems reject fsync on them (EINVAL).
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
