/**
 * The CLI's whole backup cycle on a real SQLite database and the local disk: jobs list → backup →
 * backups list → verify → profiles export → decrypt with nothing but file and key → restore into
 * a new database file → verify catches tampering.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyTools } from '../../adapters/crypto/key-tools.ts';
import { openMetadataStore } from '../../adapters/store/open-metadata-store.ts';
import { createEncryptionProfilesService } from '../../core/encryption/encryption-profiles.service.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { runCli } from './main.ts';

let dir: string;
let env: Record<string, string>;

function collector() {
  const chunks: Buffer[] = [];
  return { stream: new Writable({ write(chunk: Buffer, _e, done) { chunks.push(Buffer.from(chunk)); done(); } }), text: () => Buffer.concat(chunks).toString() };
}

async function cli(...argv: string[]) {
  const [stdout, stderr] = [collector(), collector()];
  const code = await runCli(argv, { stdin: new PassThrough(), stdout: stdout.stream, stderr: stderr.stream, cwd: dir, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function rowsOf(path: string): unknown[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare('SELECT id, name, photo FROM customers ORDER BY id').all();
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbk-cli-cycle-'));
  env = { DBACKUP_DATA_DIR: join(dir, 'data'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  const db = new DatabaseSync(join(dir, 'shop.sqlite'));
  db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, photo BLOB); CREATE INDEX customers_name ON customers (name);");
  const insert = db.prepare('INSERT INTO customers (name, photo) VALUES (?, ?)');
  for (let i = 0; i < 500; i++) insert.run(`Kundin ${i} — 名前 🎉`, randomBytes(64));
  db.close();

  const { store } = await openMetadataStore({ dataDir: env.DBACKUP_DATA_DIR!, encryptionKey: env.ENCRYPTION_KEY });
  const source = await store.sources.create({ type: 'sqlite', name: 'shop', sqlitePath: join(dir, 'shop.sqlite') });
  await store.sources.create({ type: 'sqlite', name: 'copy', sqlitePath: join(dir, 'copy.sqlite') });
  const destination = await store.destinations.create({ type: 'local', name: 'disk', config: { basePath: join(dir, 'backups') } });
  const profile = await createEncryptionProfilesService({ store, keys: keyTools, clock: { now: () => new Date() } }).create('Offsite');
  await store.jobs.create({ name: 'Nightly', folderName: 'nightly', sourceId: source.id, destinationIds: [destination.id], compression: 'gzip', encryptionProfileId: profile.id });
  await store.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('dbackup CLI backup cycle', () => {
  let key = '';

  it('lists the job before it ever ran', async () => {
    const { code, stdout } = await cli('jobs', 'list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Nightly\s+nightly\s+manual\s+never/);
  });

  it('runs the job and stores an encrypted, compressed backup', async () => {
    const { code, stdout, stderr } = await cli('backup', 'nightly', '--quiet');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    key = /Backup (nightly\/backup_\S+\.sql\.gz\.enc) stored/.exec(stdout)?.[1] ?? '';
    expect(key).not.toBe('');
    expect((await cli('backups', 'list')).stdout).toContain(key);
    expect((await cli('jobs', 'list')).stdout).toMatch(/Nightly\s+nightly\s+manual\s+success/);
  });

  it('verifies the stored backup', async () => {
    const { code, stdout } = await cli('verify', 'disk', key);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^OK /);
  });

  it('decrypts the file with nothing but the exported key', async () => {
    const exported = await cli('profiles', 'export', 'Offsite', '--out', 'offsite.key.json');
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/Anyone with this key file/);
    expect((await stat(join(dir, 'offsite.key.json'))).mode & 0o777).toBe(0o600);
    const decrypted = await cli('decrypt', join(dir, 'backups', key), '--key', 'offsite.key.json', '--decompress', '--out', 'plain.sql');
    expect(decrypted.code).toBe(0);
    expect(await readFile(join(dir, 'plain.sql'), 'utf8')).toMatch(/CREATE TABLE customers/);
  });

  it('restores into a new database file equal to the original', async () => {
    const { code, stderr } = await cli('restore', 'disk', key, '--source', 'copy', '--create');
    expect(stderr).not.toMatch(/dbackup restore:/);
    expect(code).toBe(0);
    expect(rowsOf(join(dir, 'copy.sqlite'))).toEqual(rowsOf(join(dir, 'shop.sqlite')));
  });

  it('records its restores in the restore history, a refused one included', async () => {
    const refused = await cli('restore', 'disk', key, '--source', 'copy');
    expect(refused.code).toBe(EXIT_CODES.conflict);
    expect(refused.stderr).toMatch(/already holds tables/);
    const { code, stdout } = await cli('restores', 'list');
    expect(code).toBe(0);
    const rows = stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^STARTED\s+STATUS\s+TARGET\s+SOURCE\s+DESTINATION\s+KEY$/);
    expect(rows.slice(1).map((row) => row.split(/\s+/).slice(1, 5).join(' '))).toEqual(['failed copy.sqlite copy disk', 'success copy.sqlite copy disk']);
    expect(rows[1]).toContain(key);
    const json = JSON.parse((await cli('restores', 'list', '--status', 'success', '--json')).stdout) as Array<{ status: string; options: { createDatabase: boolean }; log: { message: string }[] }>;
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ status: 'success', options: { createDatabase: true, dropExisting: false } });
    expect(json[0]!.log.map((line) => line.message).join('\n')).toMatch(/SHA-256 matches the sidecar[\s\S]*Restore finished successfully/);
    expect((await cli('restores', 'list', '--status', 'exploded')).code).toBe(EXIT_CODES.usage);
  });

  it('catches a tampered backup with exit status 3', async () => {
    const handle = await open(join(dir, 'backups', key), 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 200);
    await handle.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, 200);
    await handle.close();
    const { code, stderr } = await cli('verify', 'disk', key);
    expect(code).toBe(EXIT_CODES.integrity);
    expect(stderr).toMatch(/does not match its sidecar/);
  });

  it('names the known jobs when asked for an unknown one', async () => {
    const { code, stderr } = await cli('backup', 'weekly');
    expect(code).toBe(EXIT_CODES.notFound);
    expect(stderr).toMatch(/No job named or with id "weekly". Known: "Nightly"/);
  });
});
