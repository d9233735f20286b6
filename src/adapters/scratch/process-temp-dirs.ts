import { mkdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';

/**
 * Each DBackup process keeps its temporary files (SQLite snapshots, restore downloads) in a folder
 * of its own under the data directory's `tmp`, named after its ownership token. At start, folders
 * of processes that have ended are removed; a folder of a live process — a CLI backup running
 * beside the server — is kept.
 */
const PREFIX = 'p-';

/** Creates (if needed, with `root`, all mode 0700) and returns this process's own temporary folder under `root`. */
export function ensureProcessTempDir(root: string, ownership: ProcessOwnership): string {
  const dir = join(root, `${PREFIX}${Buffer.from(ownership.self).toString('base64url')}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Removes what processes that ended left under `root`: their folders, and anything not in a
 * process folder (left by versions before these folders). Returns the names removed.
 */
export async function removeAbandonedTempDirs(root: string, ownership: ProcessOwnership): Promise<string[]> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const abandoned = entries.filter((entry) => !entry.startsWith(PREFIX) || ownership.hasEnded(Buffer.from(entry.slice(PREFIX.length), 'base64url').toString()));
  await Promise.all(abandoned.map((entry) => rm(join(root, entry), { recursive: true, force: true })));
  return abandoned;
}
