import { randomBytes } from 'node:crypto';
import { access, chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptionKeyId } from '../../core/config/encryption-key.ts';
import { Secret } from '../../core/secret.ts';
import { rejection } from './test-suite/harness.ts';
import { generatedKeyWarning, openMetadataStore, type OpenedMetadataStore } from './open-metadata-store.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbk-open-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'data');
}

async function opened(promise: Promise<OpenedMetadataStore>): Promise<OpenedMetadataStore> {
  const result = await promise;
  cleanups.push(() => result.store.close());
  return result;
}

describe('openMetadataStore', () => {
  it('first start: creates the data dir and database (WAL), generates a 0600 key file and says so', async () => {
    const dir = await dataDir();
    const first = await opened(openMetadataStore({ dataDir: dir }));
    expect(first.generatedKey).toBe(true);
    expect(first.keySource).toBe('generated');
    expect(first.keyFile).toBe(join(dir, 'encryption.key'));
    expect(first.migrationsApplied.length).toBeGreaterThan(0);
    expect((await stat(join(dir, 'encryption.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const keyText = (await readFile(join(dir, 'encryption.key'), 'utf8')).trim();
    expect(keyText).toMatch(/^[0-9a-f]{64}$/);
    expect(first.keyId).toBe(encryptionKeyId(Buffer.from(keyText, 'hex')));
    await first.store.sources.create({ type: 'postgres', name: 'p', password: new Secret('pw') });
    await access(join(dir, 'dbackup.sqlite-wal'));
    expect(generatedKeyWarning(first.keyFile!)).toContain(`BACK THIS FILE UP`);
    await first.store.close();
    cleanups.pop();

    const second = await opened(openMetadataStore({ dataDir: dir }));
    expect(second).toMatchObject({ generatedKey: false, keySource: 'file', keyId: first.keyId, migrationsApplied: [], warnings: [] });
    expect((await second.store.sources.list())[0]?.password?.reveal()).toBe('pw');
  });

  it('uses ENCRYPTION_KEY when set and writes no key file', async () => {
    const dir = await dataDir();
    const key = randomBytes(32);
    const result = await opened(openMetadataStore({ dataDir: dir, encryptionKey: new Secret(key.toString('base64')) }));
    expect(result).toMatchObject({ keySource: 'env', generatedKey: false, keyFile: undefined, keyId: encryptionKeyId(key) });
    await expect(access(join(dir, 'encryption.key'))).rejects.toThrow();
  });

  it('refuses a malformed ENCRYPTION_KEY, saying exactly what is wrong', async () => {
    const error = await rejection(openMetadataStore({ dataDir: await dataDir(), encryptionKey: randomBytes(31).toString('base64') }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe('ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64; got 31 bytes');
  });

  it('refuses the wrong key for existing data, naming the key id the data needs', async () => {
    const dir = await dataDir();
    const right = randomBytes(32);
    const first = await openMetadataStore({ dataDir: dir, encryptionKey: right.toString('hex') });
    await first.store.close();
    const error = await rejection(openMetadataStore({ dataDir: dir, encryptionKey: randomBytes(32).toString('hex') }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(
      new RegExp(`^ENCRYPTION_KEY does not match the key this data was encrypted with \\(key id ${encryptionKeyId(right)};`),
    );
    // The right key still works afterwards: the refused start changed nothing.
    await opened(openMetadataStore({ dataDir: dir, encryptionKey: right.toString('hex') }));
  });

  it('refuses to generate a new key when the key file of existing data is missing', async () => {
    const dir = await dataDir();
    const first = await openMetadataStore({ dataDir: dir });
    await first.store.close();
    await rm(join(dir, 'encryption.key'));
    const error = await rejection(openMetadataStore({ dataDir: dir }));
    expect(error.message).toContain(`the data in ${dir} is encrypted (key id ${first.keyId})`);
    await expect(access(join(dir, 'encryption.key'))).rejects.toThrow();
  });

  it('warns about a key file other users can read, and refuses a damaged one', async () => {
    const dir = await dataDir();
    const first = await openMetadataStore({ dataDir: dir });
    await first.store.close();
    await chmod(join(dir, 'encryption.key'), 0o644);
    const loose = await opened(openMetadataStore({ dataDir: dir }));
    expect(loose.warnings[0]).toContain('chmod 600');
    await loose.store.close();
    cleanups.pop();
    await writeFile(join(dir, 'encryption.key'), 'abc\n');
    const error = await rejection(openMetadataStore({ dataDir: dir }));
    expect(error.message).toContain(`The key file ${join(dir, 'encryption.key')} must be 32 bytes`);
  });
});
