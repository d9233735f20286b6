import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalProcessOwnership } from '../../adapters/process/local-process-ownership.ts';
import { acquireServerLock } from '../../adapters/process/server-lock.ts';
import { openMetadataStore } from '../../adapters/store/open-metadata-store.ts';
import { Secret } from '../../core/secret.ts';
import type { CliContext } from './command.ts';
import { rotateEncryptionKeyCommand } from './rotate-encryption-key.command.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function context(cwd: string, env: Record<string, string>): { context: CliContext; out: () => string } {
  const chunks: Buffer[] = [];
  const stdout = new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(Buffer.from(chunk)), done()) });
  return {
    context: { stdin: new PassThrough(), stdout, stderr: new PassThrough(), cwd, env, signal: new AbortController().signal },
    out: () => Buffer.concat(chunks).toString(),
  };
}

describe('dbackup rotate-encryption-key', () => {
  it('refuses to run while a DBackup server holds the data directory, and changes nothing', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'dbk-rotate-cli-'));
    dirs.push(cwd);
    const first = await openMetadataStore({ dataDir: join(cwd, 'data') });
    await first.store.sources.create({ type: 'postgres', name: 'pg', password: new Secret('pw') });
    await first.store.close();
    const keyBefore = await readFile(join(cwd, 'data', 'encryption.key'), 'utf8');
    // This test process plays the running server.
    const server = acquireServerLock(join(cwd, 'data'), createLocalProcessOwnership());
    try {
      const { context: ctx } = context(cwd, { DBACKUP_DATA_DIR: 'data' });
      await expect(rotateEncryptionKeyCommand.run([], ctx)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/Stop the DBackup server first \(process \d+ on .*Nothing was changed/) });
      expect(await readFile(join(cwd, 'data', 'encryption.key'), 'utf8')).toBe(keyBefore);
    } finally {
      server.release();
    }
    const { context: ctx } = context(cwd, { DBACKUP_DATA_DIR: 'data' });
    await rotateEncryptionKeyCommand.run([], ctx);
    expect(await readFile(join(cwd, 'data', 'encryption.key'), 'utf8')).not.toBe(keyBefore);
  });


  it('rotates the key file of DBACKUP_DATA_DIR to the key from --new-key-file', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'dbk-rotate-cli-'));
    dirs.push(cwd);
    const first = await openMetadataStore({ dataDir: join(cwd, 'data') });
    await first.store.sources.create({ type: 'postgres', name: 'pg', password: new Secret('pw') });
    await first.store.close();
    const newKey = randomBytes(32).toString('hex');
    await writeFile(join(cwd, 'new.key'), `${newKey}\n`);

    const { context: ctx, out } = context(cwd, { DBACKUP_DATA_DIR: 'data' });
    await rotateEncryptionKeyCommand.run(['--new-key-file', 'new.key'], ctx);
    expect(out()).toContain('Re-encrypted 1 stored secret: key id');
    expect((await readFile(join(cwd, 'data', 'encryption.key'), 'utf8')).trim()).toBe(newKey);

    const reopened = await openMetadataStore({ dataDir: join(cwd, 'data') });
    expect((await reopened.store.sources.list())[0]?.password?.reveal()).toBe('pw');
    await reopened.store.close();
  });

  it('refuses stray arguments and a missing new key file', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'dbk-rotate-cli-'));
    dirs.push(cwd);
    const { context: ctx } = context(cwd, { DBACKUP_DATA_DIR: 'data' });
    await expect(rotateEncryptionKeyCommand.run(['now'], ctx)).rejects.toThrow('Unexpected argument: now');
    await expect(rotateEncryptionKeyCommand.run(['--new-key-file', 'nope.key'], ctx)).rejects.toThrow(/Cannot read the new key file/);
  });
});
