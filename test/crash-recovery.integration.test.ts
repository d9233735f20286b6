/**
 * A DBackup process killed (SIGKILL) in the middle of a backup: after the next start, the run is
 * `interrupted` and nothing it was writing is left — no partial backup, no temporary file at the
 * destination, no snapshot copy in the data directory. And the converse: a server starting while a
 * CLI backup is running leaves that run and its files alone, and the backup completes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../src/adapters/store/open-metadata-store.ts';
import { createEngine } from '../src/engine.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbk-crash-'));
  env = { DBACKUP_DATA_DIR: join(dir, 'data'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  // Big enough (≈ 200 MiB of SQL) that the backup is still running when we kill it.
  const db = new DatabaseSync(join(dir, 'big.sqlite'));
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)');
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < 1600; i++) insert.run(randomBytes(64 * 1024));
  db.exec('COMMIT');
  db.close();
  const { store } = await openMetadataStore({ dataDir: env.DBACKUP_DATA_DIR!, encryptionKey: env.ENCRYPTION_KEY });
  const source = await store.sources.create({ type: 'sqlite', name: 'big', sqlitePath: join(dir, 'big.sqlite') });
  const destination = await store.destinations.create({ type: 'local', name: 'disk', config: { basePath: join(dir, 'backups') } });
  await store.jobs.create({ name: 'Big', folderName: 'big', sourceId: source.id, destinationIds: [destination.id], compression: 'none' });
  await store.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function filesIn(folder: string): Promise<string[]> {
  return readdir(folder, { recursive: true }).catch(() => [] as string[]);
}

/** Regular files only: each process keeps an (empty) temporary folder of its own. */
async function regularFilesIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

function startCliBackup(): { exited: Promise<number | null>; kill(): void } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/dbackup.mjs'), 'backup', 'Big', '--quiet'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { exited, kill: () => child.kill('SIGKILL') };
}

async function waitForPartial(): Promise<string | undefined> {
  for (let i = 0; i < 600; i++) {
    const partial = (await filesIn(join(dir, 'backups'))).find((name) => name.endsWith('.partial'));
    if (partial) return partial;
    await sleep(20);
  }
  return undefined;
}

describe('a backup process killed mid-run', () => {
  it('leaves nothing half-made once DBackup starts again', async () => {
    const child = startCliBackup();
    expect(await waitForPartial(), 'the backup started writing').toBeDefined();
    child.kill();
    await child.exited;
    expect((await filesIn(join(dir, 'backups'))).some((name) => name.endsWith('.partial'))).toBe(true);
    expect(await regularFilesIn(join(env.DBACKUP_DATA_DIR!, 'tmp')), 'the SQLite snapshot copy was left behind').not.toEqual([]);

    const { store } = await openMetadataStore({ dataDir: env.DBACKUP_DATA_DIR!, encryptionKey: env.ENCRYPTION_KEY });
    try {
      const engine = createEngine({ store, dataDir: env.DBACKUP_DATA_DIR!, clock: { now: () => new Date() }, appVersion: 'test', log: () => undefined });
      const { interrupted } = await engine.start({ scheduler: false });
      await engine.stop();
      expect(interrupted).toHaveLength(1);
      expect(interrupted[0]!.status).toBe('interrupted');
      expect(interrupted[0]!.errorMessage).toMatch(/stopped while this run was in progress/);
      const logs = (await store.runs.logs(interrupted[0]!.id)).map((line) => line.message).join('\n');
      expect(logs).toMatch(/Removed 1 temporary file/);
    } finally {
      await store.close();
    }
    expect((await filesIn(join(dir, 'backups'))).filter((name) => !name.endsWith('big') && name !== 'big')).toEqual([]);
    expect(await regularFilesIn(join(env.DBACKUP_DATA_DIR!, 'tmp'))).toEqual([]);
  });

  it('is not confused with a backup another live process is running: a starting server leaves it alone', async () => {
    const child = startCliBackup();
    try {
      expect(await waitForPartial(), 'the backup started writing').toBeDefined();
      const { store } = await openMetadataStore({ dataDir: env.DBACKUP_DATA_DIR!, encryptionKey: env.ENCRYPTION_KEY });
      try {
        const engine = createEngine({ store, dataDir: env.DBACKUP_DATA_DIR!, clock: { now: () => new Date() }, appVersion: 'test', log: () => undefined });
        const { interrupted } = await engine.start({ scheduler: false });
        await engine.stop();
        expect(interrupted).toEqual([]);
        expect(await regularFilesIn(join(env.DBACKUP_DATA_DIR!, 'tmp')), 'the live snapshot copy was kept').not.toEqual([]);
        expect(await child.exited, 'the CLI backup finished successfully').toBe(0);
        const [run] = await store.runs.list({ limit: 1 });
        expect(run).toMatchObject({ status: 'success' });
      } finally {
        await store.close();
      }
      const files = await filesIn(join(dir, 'backups', 'big'));
      expect(files.filter((name) => name.endsWith('.sql')), 'one complete backup').toHaveLength(1);
      expect(files.filter((name) => name.endsWith('.meta.json'))).toHaveLength(1);
      expect(files.some((name) => name.endsWith('.partial'))).toBe(false);
    } finally {
      child.kill();
    }
  });
});
