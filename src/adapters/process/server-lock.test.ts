import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isDBackupError } from '../../core/errors.ts';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';
import { SERVER_LOCK_FILE, acquireServerLock, findLockHolder } from './server-lock.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbk-lock-'));
  dirs.push(dir);
  return join(dir, 'data');
}

const live = new Set<string>();
function ownership(self: string): ProcessOwnership {
  live.add(self);
  return { self, hasEnded: (owner) => owner === undefined || !live.has(owner) };
}

describe('the server lock', () => {
  it('lets one process hold a data directory and refuses a second while the first lives', async () => {
    const dir = await dataDir();
    const first = acquireServerLock(dir, ownership('host 1 a'));
    expect(findLockHolder(dir, ownership('host 2 b'))).toEqual({ host: 'host', pid: 1, role: 'server' });
    let refusal: unknown;
    try {
      acquireServerLock(dir, ownership('host 2 b'));
    } catch (error) {
      refusal = error;
    }
    expect(isDBackupError(refusal) && refusal.code).toBe('conflict');
    expect((refusal as Error).message).toMatch(/already running on the data directory .* \(process 1 on host\)/);
    first.release();
    first.release();
    expect(existsSync(join(dir, SERVER_LOCK_FILE))).toBe(false);
    acquireServerLock(dir, ownership('host 2 b')).release();
  });

  it('takes over a lock left by a process that ended, and names the role of a live holder', async () => {
    const dir = await dataDir();
    acquireServerLock(dir, ownership('host 3 rotation'), 'key rotation');
    live.delete('host 3 rotation');
    const server = acquireServerLock(dir, ownership('host 4 server'));
    expect(await readFile(join(dir, SERVER_LOCK_FILE), 'utf8')).toBe('host 4 server\nserver\n');
    server.release();

    acquireServerLock(dir, ownership('host 5 rotation'), 'key rotation');
    expect(() => acquireServerLock(dir, ownership('host 6 server'))).toThrow(/A DBackup key rotation is in progress .*process 5/);
  });

  it('does not remove a lock another process took over', async () => {
    const dir = await dataDir();
    const mine = acquireServerLock(dir, ownership('host 7 mine'));
    await writeFile(join(dir, SERVER_LOCK_FILE), 'host 8 theirs\nserver\n');
    mine.release();
    expect(await readFile(join(dir, SERVER_LOCK_FILE), 'utf8')).toContain('host 8 theirs');
  });
});
