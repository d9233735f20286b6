/**
 * A DBackup process killed (SIGKILL) in the middle of a backup: after the next start, the run is
 * `interrupted` and nothing it was writing is left — no partial backup, no temporary file at the
 * destination, no snapshot copy in the data directory.
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

describe('a backup process killed mid-run', () => {
  it('leaves nothing half-made once DBackup starts again', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/dbackup.mjs'), 'backup', 'Big', '--quiet'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let partial: string | undefined;
    for (let i = 0; i < 600 && !partial; i++) {
      partial = (await filesIn(join(dir, 'backups'))).find((name) => name.endsWith('.partial'));
      if (!partial) await sleep(20);
    }
    expect(partial, 'the backup started writing').toBeDefined();
    child.kill('SIGKILL');
    await exited;
    expect((await filesIn(join(dir, 'backups'))).some((name) => name.endsWith('.partial'))).toBe(true);
    expect(await filesIn(join(env.DBACKUP_DATA_DIR!, 'tmp')), 'the SQLite snapshot copy was left behind').not.toEqual([]);

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
    expect(await filesIn(join(env.DBACKUP_DATA_DIR!, 'tmp'))).toEqual([]);
  });
});
