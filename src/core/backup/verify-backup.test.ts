import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import type { Destination } from '../../ports/destination.port.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { createStorage } from '../storage.ts';
import { runBackup } from './run-backup.ts';
import { verifyBackup } from './verify-backup.ts';

let dir: string;
let storage: Destination;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbk-verify-'));
  storage = createStorage(createLocalDestination({ basePath: dir }));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function backup(): Promise<string> {
  const outcome = await runBackup({
    job: { id: 'j', name: 'job', folderName: 'job', compression: 'gzip' }, source: createGeneratedSource(300_000),
    sourceType: 'postgres', database: 'db', targets: [{ id: 'd', name: 'disk', storage }],
  }, { transforms: createBackupTransforms(), clock: { now: () => new Date() }, appVersion: 't', log: () => undefined });
  return outcome.key;
}

describe('verifyBackup', () => {
  it('accepts an intact backup', async () => {
    const key = await backup();
    await expect(verifyBackup(storage, key)).resolves.toMatchObject({ key, size: expect.any(Number) });
  });

  it('names both hashes when a byte changed', async () => {
    const key = await backup();
    const handle = await open(join(dir, key), 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 100);
    await handle.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, 100);
    await handle.close();
    await expect(verifyBackup(storage, key)).rejects.toMatchObject({ code: 'integrity', message: expect.stringMatching(/does not match its sidecar/) });
  });

  it('reports a file lost next to its sidecar', async () => {
    const key = await backup();
    await storage.delete(key);
    await expect(verifyBackup(storage, key)).rejects.toMatchObject({ code: 'not_found' });
  });
});
