import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DBackupError } from '../../core/errors.ts';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';
import { parseToken } from './local-process-ownership.ts';

/**
 * One DBackup server per data directory: the server holds `<dataDir>/server.lock`, which names its
 * process and what it does. A second server on the same directory would run every schedule twice,
 * and rotating the master key under a running server would leave it writing with the old key; so
 * the server and a key rotation both take the lock, and each is refused while another live process
 * holds it. A lock left by a process that ended is taken over.
 */
export const SERVER_LOCK_FILE = 'server.lock';

export interface ServerLock {
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): void;
}

export interface LockHolder {
  host: string;
  pid: number;
  /** What the holder does: `server` or `key rotation`. */
  role: string;
}

/** The live process holding `dataDir`, if any. */
export function findLockHolder(dataDir: string, ownership: ProcessOwnership): LockHolder | undefined {
  const holder = readHolder(join(dataDir, SERVER_LOCK_FILE));
  if (holder === undefined || ownership.hasEnded(holder.token)) return undefined;
  const parsed = parseToken(holder.token);
  return parsed === undefined ? undefined : { host: parsed.host, pid: parsed.pid, role: holder.role };
}

/**
 * Takes the lock for this process doing `role`, or throws what `refuse` makes of the live holder
 * (default: `conflict` naming it). Creates `dataDir` if needed.
 */
export function acquireServerLock(
  dataDir: string,
  ownership: ProcessOwnership,
  role: 'server' | 'key rotation' = 'server',
  refuse: (holder: LockHolder) => DBackupError = (holder) => alreadyRunning(dataDir, holder),
): ServerLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SERVER_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${ownership.self}\n${role}\n`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          if (readHolder(path)?.token === ownership.self) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = findLockHolder(dataDir, ownership);
    if (holder !== undefined) throw refuse(holder);
    // Left by a process that ended: take it over (another starter may race us; retry).
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DBackupError('conflict', `Could not take ${path}: other DBackup processes keep starting on ${dataDir}. Start one server at a time.`, { retryable: false });
}

function alreadyRunning(dataDir: string, holder: LockHolder): DBackupError {
  const what = holder.role === 'server' ? 'A DBackup server is already running' : `A DBackup ${holder.role} is in progress`;
  return new DBackupError(
    'conflict',
    `${what} on the data directory ${dataDir} (process ${holder.pid} on ${holder.host}). Wait for it or stop it first, or give this one another DBACKUP_DATA_DIR.`,
    { retryable: false, details: { ...holder } },
  );
}

function readHolder(path: string): { token: string; role: string } | undefined {
  try {
    const [token = '', role = 'server'] = readFileSync(path, 'utf8').split('\n');
    return { token: token.trim(), role: role.trim() || 'server' };
  } catch {
    return undefined;
  }
}
