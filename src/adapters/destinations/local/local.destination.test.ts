import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DBackupError } from '../../../core/errors.ts';
import { createStorage } from '../../../core/storage.ts';
import type { Destination } from '../../../ports/destination.port.ts';
import { generatedData } from '../../../test-support/generated-data.ts';
import { describeDestinationConformance } from '../destination.conformance.ts';
import { createLocalDestination } from './local.destination.ts';

describeDestinationConformance(
  'local',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'dbackup-local-conformance-'));
    return {
      destination: createLocalDestination({ basePath: join(root, 'backups') }),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
  // Local disk lists without pages; the hint only makes the suite's many-files listing run here too.
  { pageSizeHint: 5 },
);

// Local-specific behaviour.
let tempRoot: string;
let basePath: string;
let storage: Destination;

/** Call inside a describe: each of its tests gets a fresh base folder (not yet created). */
function useFreshBaseFolder(): void {
  beforeEach(async () => {
    tempRoot = await mkdtemp(join(tmpdir(), 'dbackup-local-'));
    basePath = join(tempRoot, 'backups');
    storage = createStorage(createLocalDestination({ basePath }));
  });
  afterEach(async () => {
    await rm(tempRoot, { recursive: true, force: true });
  });
}

async function rejection(promise: Promise<unknown>): Promise<DBackupError> {
  const error: unknown = await promise.then(() => new Error('expected a failure'), (e: unknown) => e);
  if (!(error instanceof DBackupError)) throw error;
  return error;
}

async function keysIn(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const file of storage.list(prefix)) keys.push(file.key);
  return keys.sort();
}

describe('local destination: atomic writes on disk', () => {
  useFreshBaseFolder();

  it('writes to a temp file beside the target and renames it into place', async () => {
    const source = new PassThrough();
    let sent = 0;
    const writing = storage.write('job/backup.sql', source, { onProgress: (bytes) => (sent = bytes) });
    source.write(Buffer.alloc(1000, 1));
    await expect.poll(() => sent).toBe(1000);
    const during = await readdir(join(basePath, 'job'));
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^\.backup\.sql\.[0-9a-f]{12}\.partial$/);
    expect(await storage.stat('job/backup.sql')).toBeUndefined();
    expect(await keysIn('')).toEqual([]);
    source.end(Buffer.alloc(24, 2));
    expect((await writing).size).toBe(1024);
    expect(await readdir(join(basePath, 'job'))).toEqual(['backup.sql']);
  });

  it('removes the temp file when the source fails or the write is aborted', async () => {
    await rejection(storage.write('job/failed.bin', generatedData(1_000_000, { failAfter: 300_000 })));
    const controller = new AbortController();
    const stalled = generatedData(1_000_000, { stallAfter: 300_000, onStall: () => controller.abort() });
    expect((await rejection(storage.write('job/aborted.bin', stalled, { signal: controller.signal }))).code).toBe('cancelled');
    expect(await readdir(join(basePath, 'job'))).toEqual([]);
  });

  it('refuses a write that cannot fit on the disk up front, leaving nothing behind', async () => {
    let pulled = false;
    const source = generatedData(10, { onStall: () => (pulled = true), stallAfter: 0 });
    const error = await rejection(storage.write('job/huge.bin', source, { size: Number.MAX_SAFE_INTEGER }));
    expect(error.code).toBe('quota_exceeded');
    expect(error.message).toContain('disk full');
    expect(pulled).toBe(false);
    expect(await readdir(join(basePath, 'job'))).toEqual([]);
  });

  it('hides temp files from listings and refuses keys shaped like them', async () => {
    await mkdir(join(basePath, 'job'), { recursive: true });
    await writeFile(join(basePath, 'job', '.left.by.a.crash.0123456789ab.partial'), 'partial');
    await writeFile(join(basePath, 'job', 'real.sql'), 'real');
    expect(await keysIn('job')).toEqual(['job/real.sql']);
    const error = await rejection(storage.write('job/.x.0123456789ab.partial', generatedData(1)));
    expect(error.code).toBe('invalid_input');
  });

  it('removes the temp files a killed process left for one key, and only those', async () => {
    await mkdir(join(basePath, 'job'), { recursive: true });
    const abandoned = ['.backup.sql.gz.0123456789ab.partial', '.backup.sql.gz.ba9876543210.partial'];
    const others = ['.backup.sql.gz.meta.json.0123456789ab.partial', '.other.sql.0123456789ab.partial', 'backup.sql.gz'];
    for (const name of [...abandoned, ...others]) await writeFile(join(basePath, 'job', name), 'x');
    expect(await storage.capabilities.removeAbandonedWrites!('job/backup.sql.gz')).toBe(2);
    expect((await readdir(join(basePath, 'job'))).sort()).toEqual([...others].sort());
    expect(await storage.capabilities.removeAbandonedWrites!('missing/backup.sql.gz')).toBe(0);
  });
});

describe('local destination: messages and edge cases', () => {
  useFreshBaseFolder();

  it('names the key and the base folder when a file is missing', async () => {
    const error = await rejection(storage.read('job/missing.sql'));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`No backup file at job/missing.sql in ${basePath}.`);
  });

  it('reports a file standing where a folder must be as a conflict', async () => {
    await storage.write('job', generatedData(3));
    const error = await rejection(storage.write('job/backup.sql', generatedData(3)));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('in the way');
  });

  it('refuses to delete a folder, and never removes folders when deleting files', async () => {
    await storage.write('job/a.sql', generatedData(3));
    expect((await rejection(storage.delete('job'))).code).toBe('conflict');
    await storage.delete('job/a.sql');
    expect((await stat(join(basePath, 'job'))).isDirectory()).toBe(true);
    expect(await keysIn('')).toEqual([]);
  });

  it('refuses to read past the end', async () => {
    await storage.write('job/a.sql', generatedData(10));
    expect((await rejection(storage.read('job/a.sql', { offset: 11 }))).code).toBe('invalid_input');
    expect((await buffer(await storage.read('job/a.sql', { offset: 10 }))).length).toBe(0);
  });

  it('creates a missing base folder in the connection test', async () => {
    const first = await storage.capabilities.testConnection!();
    expect(first.folder).toEqual({ path: basePath, created: true });
    expect(first.usage?.allocated).toBeGreaterThan(0);
    expect((await storage.capabilities.testConnection!()).folder.created).toBe(false);
    expect(await readdir(basePath)).toEqual([]);
  });

  it('browses folders relative to the base folder', async () => {
    await storage.write('b/x', generatedData(1));
    await storage.write('A/y', generatedData(1));
    await storage.write('c.txt', generatedData(1));
    expect(await storage.capabilities.browseFolders!('')).toEqual({
      path: '',
      folders: [
        { name: 'A', path: '/A' },
        { name: 'b', path: '/b' },
      ],
    });
    expect((await rejection(storage.capabilities.browseFolders!('/missing'))).code).toBe('not_found');
  });
});

/**
 * Makes `folder` unwritable: chmod for ordinary users; root ignores modes, so it sets the
 * immutable attribute instead. Returns the undo, or undefined when neither is possible here.
 */
function makeUnwritable(folder: string): (() => Promise<void>) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(folder, 0o555);
    return async () => chmod(folder, 0o755);
  }
  try {
    execFileSync('chattr', ['+i', folder], { stdio: 'ignore' });
    return async () => void execFileSync('chattr', ['-i', folder], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
}

describe('local destination: permissions', () => {
  useFreshBaseFolder();

  it('says which path is not writable and to fix its permissions', async (ctx) => {
    await mkdir(basePath, { recursive: true });
    const undo = makeUnwritable(basePath);
    if (!undo) return ctx.skip('running as root without chattr: cannot make a folder unwritable');
    try {
      const error = await rejection(storage.write('backup.sql', generatedData(10)));
      expect(error.code).toBe('unavailable');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(basePath);
      expect(error.message).toMatch(/permission denied/);
      expect(error.message).toContain(`Fix the permissions of ${basePath}`);
      expect((await rejection(storage.capabilities.testConnection!())).code).toBe('unavailable');
    } finally {
      await undo();
    }
  });
});
