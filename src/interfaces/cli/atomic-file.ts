import { randomBytes } from 'node:crypto';
import { access, open, rename, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { basename, dirname, join } from 'node:path';
import { DBackupError } from '../../core/errors.ts';

export interface AtomicFileOptions {
  /** Replace an existing file; otherwise an existing file is a `conflict`. */
  overwrite: boolean;
  /** Permission bits of the new file; default 0o600 (backups and their plaintext are private). */
  mode?: number;
}

/**
 * Writes `path` so that it appears only when complete: `write` fills a temporary file in the same
 * directory, which is flushed to disk and renamed over `path` only if `write` resolves. If `write`
 * rejects, the temporary file is removed and the error rethrown, so no partial file is left.
 *
 * Throws `conflict` when `path` exists and `overwrite` is false (checked before and after
 * writing), and `not_found` when the directory does not exist.
 */
export async function writeFileAtomically(path: string, write: (destination: Writable) => Promise<void>, options: AtomicFileOptions): Promise<void> {
  if (!options.overwrite) await refuseExisting(path);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  let handle;
  try {
    handle = await open(temporary, 'wx', options.mode ?? 0o600);
  } catch (error) {
    throw fileError(error, dirname(path));
  }
  let committed = false;
  try {
    // The stream owns the handle: it fsyncs (flush) and closes it when it finishes or fails.
    await write(handle.createWriteStream({ flush: true }));
    if (!options.overwrite) await refuseExisting(path);
    await rename(temporary, path);
    committed = true;
  } finally {
    if (!committed) {
      await handle.close().catch(() => undefined); // already closed unless `write` never used it
      await unlink(temporary).catch(() => undefined);
    }
  }
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) {
    throw new DBackupError('conflict', `The output file ${path} already exists. Pass --force to overwrite it, or choose another --out.`, {
      retryable: false,
      details: { path },
    });
  }
}

function fileError(error: unknown, directory: string): DBackupError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new DBackupError('not_found', `The output directory ${directory} does not exist. Create it or choose another --out.`, { cause: error, retryable: false });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new DBackupError('invalid_input', `Cannot write to ${directory} (${code}). Choose a writable --out location.`, { cause: error, retryable: false });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DBackupError('internal', `Cannot create a file in ${directory}: ${message}`, { cause: error, retryable: false });
}
