import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';
import { ensureProcessTempDir, removeAbandonedTempDirs } from './process-temp-dirs.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** An ownership whose `hasEnded` answers from a fixed list of live tokens. */
function ownershipOf(self: string, alive: string[]): ProcessOwnership {
  return { self, hasEnded: (owner) => owner === undefined || !alive.includes(owner) };
}

describe('per-process temporary folders', () => {
  it('removes the folders of ended processes and stray entries, and keeps those of live ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dbk-tmpdirs-'));
    roots.push(root);
    const cli = ownershipOf('host 200 cli', ['host 200 cli']);
    const crashed = ownershipOf('host 300 crashed', ['host 300 crashed']);
    const cliDir = ensureProcessTempDir(root, cli);
    await writeFile(join(cliDir, 'snapshot.db'), 'in use');
    await writeFile(join(ensureProcessTempDir(root, crashed), 'snapshot.db'), 'left behind');
    await mkdir(join(root, 'dbk-sqlite-old'));
    await writeFile(join(root, 'stray-file'), 'x');

    const server = ownershipOf('host 100 server', ['host 100 server', 'host 200 cli']);
    const serverDir = ensureProcessTempDir(root, server);
    const removed = await removeAbandonedTempDirs(root, server);
    expect(removed).toHaveLength(3);
    expect((await readdir(root)).sort()).toEqual([cliDir, serverDir].map((dir) => dir.slice(root.length + 1)).sort());
    expect(await readdir(cliDir)).toEqual(['snapshot.db']);
  });

  it('creates the folder with mode 0700 and returns the same one every time', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dbk-tmpdirs-'));
    roots.push(root);
    const ownership = ownershipOf('host 1 a b', []);
    const dir = ensureProcessTempDir(root, ownership);
    expect(ensureProcessTempDir(root, ownership)).toBe(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });
});
