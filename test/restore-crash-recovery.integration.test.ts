/**
 * A `dbackup restore` killed (SIGKILL) while it loads the target database: its record, written
 * through while it ran, shows how far it got, and the next start marks it `interrupted` with a
 * message naming the target database that may be incomplete. And the converse: a server starting
 * while a CLI restore is running leaves that restore alone, and it completes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from '../src/adapters/store/open-metadata-store.ts';
import { createEngine } from '../src/engine.ts';
import { runCli } from '../src/interfaces/cli/main.ts';
import type { MetadataStore, RestoreRecord } from '../src/ports/metadata-store.port.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let env: Record<string, string>;
let key = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbk-restore-crash-'));
  env = { DBACKUP_DATA_DIR: join(dir, 'data'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  // Big enough (≈ 150 MiB of SQL) that loading it takes a while, so the restore can be killed mid-way.
  const db = new DatabaseSync(join(dir, 'big.sqlite'));
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)');
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < 1200; i++) insert.run(randomBytes(64 * 1024));
  db.exec('COMMIT');
  db.close();
  const { store } = await openMetadataStore({ dataDir: env.DBACKUP_DATA_DIR!, encryptionKey: env.ENCRYPTION_KEY });
  const source = await store.sources.create({ type: 'sqlite', name: 'big', sqlitePath: join(dir, 'big.sqlite') });
  for (const name of ['killed', 'live']) await store.sources.create({ type: 'sqlite', name, sqlitePath: join(dir, `${name}.sqlite`) });
  const destination = await store.destinations.create({ type: 'local', name: 'disk', config: { basePath: join(dir, 'backups') } });
  await store.jobs.create({ name: 'Big', folderName: 'big', sourceId: source.id, destinationIds: [destination.id], compression: 'none' });
  await store.close();

  const out: Buffer[] = [];
  const stdout = new Writable({ write(chunk: Buffer, _encoding, done) { out.push(chunk); done(); } });
  expect(await runCli(['backup', 'Big', '--quiet'], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), cwd: dir, env })).toBe(0);
  key = /Backup (big\/backup_\S+\.sql) stored/.exec(Buffer.concat(out).toString())?.[1] ?? '';
  expect(key).not.toBe('');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function startCliRestore(target: string): { exited: Promise<number | null>; kill(): void } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/dbackup.mjs'), 'restore', 'disk', key, '--source', target, '--create'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { exited, kill: () => child.kill('SIGKILL') };
}

/** The restore into `database` once its record says it is loading the target. */
async function waitUntilRestoring(store: MetadataStore, database: string): Promise<RestoreRecord | undefined> {
  for (let i = 0; i < 1500; i++) {
    const found = (await store.restores.list({ limit: 5 })).find((restore) => restore.database === database);
    if (found?.status === 'running' && found.stage === 'restoring') return found;
    if (found && found.status !== 'running') throw new Error(`The restore ended before it could be watched: ${found.status} ${found.errorMessage ?? ''}`);
    await sleep(20);
  }
  return undefined;
}

async function withStore<T>(work: (store: MetadataStore) => Promise<T>): Promise<T> {
  const { store } = await openMetadataStore({ dataDir: env.DBACKUP_DATA_DIR!, encryptionKey: env.ENCRYPTION_KEY });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const startServerEngine = (store: MetadataStore) =>
  createEngine({ store, dataDir: env.DBACKUP_DATA_DIR!, clock: { now: () => new Date() }, appVersion: 'test', log: () => undefined }).start({ scheduler: false });

describe('a restore process killed mid-restore', () => {
  it('is recorded as it went and reported interrupted at the next start, naming the target that may be incomplete', async () => {
    const child = startCliRestore('killed');
    await withStore(async (store) => {
      const running = await waitUntilRestoring(store, 'killed.sqlite');
      expect(running, 'the restore reached the restoring stage while still running').toBeDefined();
      expect(running!.totalBytes).toBeGreaterThan(100 * 1024 ** 2);
      child.kill();
      await child.exited;
      expect((await store.restores.get(running!.id))?.status, 'nobody recovered it yet').toBe('running');

      const { interruptedRestores } = await startServerEngine(store);
      expect(interruptedRestores.map((restore) => restore.id)).toEqual([running!.id]);
      const recorded = await store.restores.get(running!.id);
      expect(recorded).toMatchObject({ status: 'interrupted', errorCode: 'interrupted', endedAt: expect.any(Date) });
      expect(recorded!.errorMessage).toMatch(/into database "killed\.sqlite" on killed .* may be only partly restored/);
      const log = (await store.restores.logs([running!.id])).map((line) => line.message);
      expect(log.join('\n')).toMatch(/Restoring backup_\S+\.sql from disk into killed\.sqlite on killed[\s\S]*Downloading…[\s\S]*SHA-256 matches[\s\S]*Restoring…[\s\S]*may be only partly restored/);
    });
  });

  it('is not confused with a restore another live process is running: a starting server leaves it alone', async () => {
    const child = startCliRestore('live');
    try {
      await withStore(async (store) => {
        const running = await waitUntilRestoring(store, 'live.sqlite');
        expect(running, 'the restore reached the restoring stage while still running').toBeDefined();
        const { interruptedRestores } = await startServerEngine(store);
        expect(interruptedRestores).toEqual([]);
        expect(await child.exited, 'the CLI restore finished successfully').toBe(0);
        expect(await store.restores.get(running!.id)).toMatchObject({ status: 'success', stage: undefined });
      });
    } finally {
      child.kill();
    }
  });
});
