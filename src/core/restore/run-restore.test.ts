import { mkdtemp, open, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import { generateEncryptionKey, fingerprintOf } from '../../adapters/crypto/encryption-key.ts';
import { createLocalScratchSpace } from '../../adapters/scratch/local-scratch.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';
import { digestStream, generatedDataDigest, type StreamDigest } from '../../test-support/generated-data.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { sidecarKeyFor } from '../backup/backup-naming.ts';
import { DBackupError } from '../errors.ts';
import { runBackup } from '../backup/run-backup.ts';
import { createStorage } from '../storage.ts';
import { runRestore, type RestoreDependencies } from './run-restore.ts';

let dir: string;
let scratchDir: string;
let storage: Destination;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbk-restore-'));
  scratchDir = join(dir, 'scratch');
  storage = createStorage(createLocalDestination({ basePath: join(dir, 'store') }));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const transforms = createBackupTransforms({ encryptionChunkSize: 64 * 1024 });
const profileKey = generateEncryptionKey();
const SIZE = 1_500_000;

/** A restore target that records what it was fed (a real port implementation, not a mock). */
function capturingTarget(): DatabaseSource & { received?: StreamDigest; calls: number } {
  const target = {
    ...createGeneratedSource(0),
    calls: 0,
    received: undefined as StreamDigest | undefined,
    async restore(_database: string, input: Readable) {
      target.calls++;
      target.received = await digestStream(input);
    },
  };
  return target;
}

function deps(keys: Uint8Array[] = [profileKey]): RestoreDependencies {
  return {
    transforms,
    scratch: createLocalScratchSpace(scratchDir),
    keyForFingerprint: async (fingerprint) => keys.find((key) => fingerprintOf(key) === fingerprint),
    log: () => undefined,
  };
}

async function backup(encrypted: boolean): Promise<string> {
  const outcome = await runBackup({
    job: { id: 'j', name: 'job', folderName: 'job', compression: 'zstd' },
    source: createGeneratedSource(SIZE), sourceType: 'postgres', database: 'db',
    targets: [{ id: 'local', name: 'disk', storage }],
    encryption: encrypted ? { profileId: 'p', key: profileKey } : undefined,
  }, { transforms, clock: { now: () => new Date() }, appVersion: 'test', log: () => undefined });
  expect(outcome.results[0]?.status).toBe('success');
  return outcome.key;
}

async function flipByte(path: string, position: number): Promise<void> {
  const handle = await open(path, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, position);
  byte[0] = byte[0]! ^ 0xff;
  await handle.write(byte, 0, 1, position);
  await handle.close();
}

describe('runRestore', () => {
  it.each([true, false])('feeds the target exactly the dumped bytes (encrypted: %s)', async (encrypted) => {
    const key = await backup(encrypted);
    const target = capturingTarget();
    await runRestore({ storage, key, target, database: 'copy' }, deps());
    expect(target.received).toEqual(await generatedDataDigest(SIZE));
    expect(await readdir(scratchDir)).toEqual([]);
  });

  it('refuses a corrupted file before touching the target', async () => {
    const key = await backup(true);
    await flipByte(join(dir, 'store', key), 5000);
    const target = capturingTarget();
    await expect(runRestore({ storage, key, target, database: 'copy' }, deps())).rejects.toMatchObject({ code: 'integrity', message: expect.stringMatching(/is corrupted.*Nothing was restored/) });
    expect(target.calls).toBe(0);
    expect(await readdir(scratchDir)).toEqual([]);
  });

  it('refuses when no profile holds the key, naming its fingerprint, before touching the target', async () => {
    const key = await backup(true);
    const target = capturingTarget();
    await expect(runRestore({ storage, key, target, database: 'copy' }, deps([generateEncryptionKey()])))
      .rejects.toThrow(new RegExp(`encrypted with key ${fingerprintOf(profileKey)}`));
    expect(target.calls).toBe(0);
  });

  it('without a sidecar, proves the whole file good first: a truncated file never reaches the target', async () => {
    const key = await backup(true);
    await storage.delete(sidecarKeyFor(key));
    await truncate(join(dir, 'store', key), 300_000);
    const target = capturingTarget();
    await expect(runRestore({ storage, key, target, database: 'copy' }, deps())).rejects.toMatchObject({ code: 'integrity' });
    expect(target.calls).toBe(0);
  });

  // Regression: a target refusing by destroying its input left the input's AbortError unobserved,
  // which crashed the server process.
  it('reports the target refusing, without an unobserved input error', async () => {
    const key = await backup(true);
    const refusing: DatabaseSource = {
      ...createGeneratedSource(0),
      async restore(_database, input) {
        input.destroy();
        throw new DBackupError('conflict', 'The target already holds tables.');
      },
    };
    await expect(runRestore({ storage, key, target: refusing, database: 'copy' }, deps())).rejects.toMatchObject({ code: 'conflict' });
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('restores without a sidecar when the file is intact', async () => {
    const key = await backup(false);
    await storage.delete(sidecarKeyFor(key));
    const target = capturingTarget();
    await runRestore({ storage, key, target, database: 'copy' }, deps());
    expect(target.received).toEqual(await generatedDataDigest(SIZE));
  });
});
