import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompressStream } from '../../adapters/compression/compression.stream.ts';
import type { Compression } from '../../adapters/compression/compression.ts';
import { createEncryptStream } from '../../adapters/crypto/encrypt.stream.ts';
import { DEFAULT_CHUNK_SIZE, ENCRYPTION_HEADER_BYTES, TAG_BYTES } from '../../adapters/crypto/encryption-format.ts';
import { fingerprintOf, generateEncryptionKey } from '../../adapters/crypto/encryption-key.ts';
import { serializeKeyFile } from '../../adapters/crypto/key-file.ts';
import { EXIT_CODES } from './exit-codes.ts';

const BIN = fileURLToPath(new URL('../../../bin/dbackup.mjs', import.meta.url));
const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));

interface Result {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the real CLI in a child process with the Node running the tests (the project's Node 24). */
function dbackup(args: string[], options: { cwd: string; stdin?: Buffer; command?: string[] }): Promise<Result> {
  const [file, ...prefix] = options.command ?? [process.execPath, BIN];
  return new Promise((resolve, reject) => {
    const child = spawn(file ?? process.execPath, [...prefix, ...args], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
  });
}

/** SQL-ish text a bit over 3 MiB, so the encrypted file spans several 1 MiB chunks. */
const plaintext = Buffer.from(
  Array.from({ length: 40_000 }, (_, i) => `INSERT INTO events (id, payload) VALUES (${i}, 'event number ${i * 7919}');\n`).join(''),
);
const key = generateEncryptionKey();
let root: string;

async function writeBackup(dir: string, compression: Compression, name: string): Promise<{ path: string; compressed: Buffer }> {
  const compressed =
    compression === 'gzip' ? zlib.gzipSync(plaintext) : compression === 'zstd' ? zlib.zstdCompressSync(plaintext) : plaintext;
  const path = join(dir, name);
  await pipeline(Readable.from([plaintext]), createCompressStream(compression), createEncryptStream(key), createWriteStream(path));
  return { path, compressed };
}

async function freshDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, 'profile.key.json'), serializeKeyFile({ key, name: 'Nightly' }));
  return dir;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dbackup-cli-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('dbackup decrypt (child process)', () => {
  it('decrypts next to the input, dropping .enc, with the key file; output is private', async () => {
    const dir = await freshDir('basic');
    await writeBackup(dir, 'gzip', 'backup_2024-01-16T12-00-00.sql.gz.enc');
    const result = await dbackup(['decrypt', 'backup_2024-01-16T12-00-00.sql.gz.enc', '--key', 'profile.key.json'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain(fingerprintOf(key));
    const output = join(dir, 'backup_2024-01-16T12-00-00.sql.gz');
    // gzip output is not byte-stable across zlib builds, so compare what it decompresses to.
    expect(zlib.gunzipSync(await readFile(output)).equals(plaintext)).toBe(true);
    expect((await stat(output)).mode & 0o777).toBe(0o600);
  });

  it('decompresses by extension with --decompress, into an --out directory', async () => {
    const dir = await freshDir('decompress');
    await writeBackup(dir, 'zstd', 'backup_2024-01-16T12-00-00.sql.zst.enc');
    await mkdir(join(dir, 'restore'));
    const result = await dbackup(['decrypt', 'backup_2024-01-16T12-00-00.sql.zst.enc', '-k', 'profile.key.json', '--decompress', '-o', 'restore'], { cwd: dir });
    expect(result.code).toBe(0);
    expect((await readFile(join(dir, 'restore', 'backup_2024-01-16T12-00-00.sql'))).equals(plaintext)).toBe(true);
  });

  it('writes to standard output with --out - and accepts a bare hex key file', async () => {
    const dir = await freshDir('stdout');
    await writeFile(join(dir, 'raw.key'), `${key.toString('hex')}\n`);
    await writeBackup(dir, 'none', 'backup_2024-01-16T12-00-00.sql.enc');
    const result = await dbackup(['decrypt', 'backup_2024-01-16T12-00-00.sql.enc', '--key', 'raw.key', '--out', '-'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout.equals(plaintext)).toBe(true);
    expect(await readdir(dir)).toEqual(['backup_2024-01-16T12-00-00.sql.enc', 'raw.key', 'profile.key.json'].sort());
  });

  it('reads standard input with - and --out', async () => {
    const dir = await freshDir('stdin');
    const { path } = await writeBackup(dir, 'none', 'in.sql.enc');
    const result = await dbackup(['decrypt', '-', '--key', 'profile.key.json', '--out', 'out.sql'], { cwd: dir, stdin: await readFile(path) });
    expect(result.code).toBe(0);
    expect((await readFile(join(dir, 'out.sql'))).equals(plaintext)).toBe(true);
  });

  it('exits 3 on a wrong key, names both fingerprints, and leaves no output file', async () => {
    const dir = await freshDir('wrong-key');
    const other = generateEncryptionKey();
    await writeFile(join(dir, 'other.key.json'), serializeKeyFile({ key: other, name: 'Other' }));
    await writeBackup(dir, 'gzip', 'b.sql.gz.enc');
    const before = await readdir(dir);
    const result = await dbackup(['decrypt', 'b.sql.gz.enc', '--key', 'other.key.json', '--decompress'], { cwd: dir });
    expect(result.code).toBe(EXIT_CODES.integrity);
    expect(result.stderr).toContain(`This file was encrypted with key ${fingerprintOf(key)}, but the key given has fingerprint ${fingerprintOf(other)}.`);
    expect(await readdir(dir)).toEqual(before);
  });

  it('exits 3 when the last chunk was tampered with, removing the partly written output', async () => {
    const dir = await freshDir('tampered');
    const { path } = await writeBackup(dir, 'none', 'b.sql.enc');
    const bytes = await readFile(path);
    const lastChunk = ENCRYPTION_HEADER_BYTES + 2 * (DEFAULT_CHUNK_SIZE + TAG_BYTES);
    expect(bytes.length).toBeGreaterThan(lastChunk); // earlier chunks were written before the failure
    bytes[lastChunk + 5] = (bytes[lastChunk + 5] ?? 0) ^ 0xff;
    await writeFile(path, bytes);
    const before = await readdir(dir);
    const result = await dbackup(['decrypt', 'b.sql.enc', '--key', 'profile.key.json'], { cwd: dir });
    expect(result.code).toBe(EXIT_CODES.integrity);
    expect(result.stderr).toMatch(/corrupted or was tampered with at chunk 2/);
    expect(await readdir(dir)).toEqual(before);
  });

  it('exits 3 on a truncated file and leaves no output file', async () => {
    const dir = await freshDir('truncated');
    const { path } = await writeBackup(dir, 'none', 'b.sql.enc');
    const whole = await readFile(path);
    const cut = ENCRYPTION_HEADER_BYTES + 2 * (DEFAULT_CHUNK_SIZE + TAG_BYTES); // a chunk boundary
    expect(whole.length).toBeGreaterThan(cut);
    await writeFile(path, whole.subarray(0, cut));
    const before = await readdir(dir);
    const result = await dbackup(['decrypt', 'b.sql.enc', '--key', 'profile.key.json'], { cwd: dir });
    expect(result.code).toBe(EXIT_CODES.integrity);
    expect(result.stderr).toMatch(/The encrypted backup is truncated/);
    expect(await readdir(dir)).toEqual(before);
  });

  it('exits 4 for a missing backup or key file', async () => {
    const dir = await freshDir('missing');
    await writeBackup(dir, 'none', 'b.sql.enc');
    const noFile = await dbackup(['decrypt', 'nope.sql.enc', '--key', 'profile.key.json'], { cwd: dir });
    expect(noFile.code).toBe(EXIT_CODES.notFound);
    expect(noFile.stderr).toMatch(/backup file .*nope\.sql\.enc does not exist/);
    const noKey = await dbackup(['decrypt', 'b.sql.enc', '--key', 'nope.json'], { cwd: dir });
    expect(noKey.code).toBe(EXIT_CODES.notFound);
    expect(noKey.stderr).toMatch(/key file .*nope\.json does not exist/);
  });

  it('exits 6 rather than overwrite an existing output, and overwrites with --force', async () => {
    const dir = await freshDir('exists');
    await writeBackup(dir, 'none', 'b.sql.enc');
    await writeFile(join(dir, 'b.sql'), 'keep me');
    const refused = await dbackup(['decrypt', 'b.sql.enc', '--key', 'profile.key.json'], { cwd: dir });
    expect(refused.code).toBe(EXIT_CODES.conflict);
    expect(refused.stderr).toMatch(/already exists\. Pass --force/);
    expect(await readFile(join(dir, 'b.sql'), 'utf8')).toBe('keep me');
    const forced = await dbackup(['decrypt', 'b.sql.enc', '--key', 'profile.key.json', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect((await readFile(join(dir, 'b.sql'))).equals(plaintext)).toBe(true);
  });

  it('exits 3 when the decrypted data is not valid gzip, leaving nothing behind', async () => {
    const dir = await freshDir('bad-gzip');
    await writeBackup(dir, 'none', 'b.sql.gz.enc'); // claims gzip but holds plain SQL
    const before = await readdir(dir);
    const result = await dbackup(['decrypt', 'b.sql.gz.enc', '--key', 'profile.key.json', '--decompress'], { cwd: dir });
    expect(result.code).toBe(EXIT_CODES.integrity);
    expect(result.stderr).toMatch(/gzip data is corrupted or is not gzip/);
    expect(await readdir(dir)).toEqual(before);
  });

  it('exits 2 on usage errors', async () => {
    const dir = await freshDir('usage');
    const noKey = await dbackup(['decrypt', 'b.sql.enc'], { cwd: dir });
    expect(noKey.code).toBe(EXIT_CODES.usage);
    expect(noKey.stderr).toMatch(/--key <keyfile>[\s\S]*dbackup decrypt --help/);
    const unknown = await dbackup(['decrypt', 'b.sql.enc', '--key', 'k', '--bogus'], { cwd: dir });
    expect(unknown.code).toBe(EXIT_CODES.usage);
  });

  it('runs as `npx dbackup` under the project Node', async () => {
    const result = await dbackup(['--version'], { cwd: PROJECT, command: ['npx', '--no-install', 'dbackup'] });
    expect(result.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    expect(result.stdout.toString()).toBe(`dbackup ${manifest.version}\n`);
  });
});
