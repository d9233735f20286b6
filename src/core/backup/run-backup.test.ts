import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import { generateEncryptionKey } from '../../adapters/crypto/encryption-key.ts';
import type { Destination } from '../../ports/destination.port.ts';
import { digestStream, generatedDataDigest } from '../../test-support/generated-data.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { contentHashOf } from '../content-hash.ts';
import { createStorage } from '../storage.ts';
import { parseSidecar } from './sidecar.ts';
import { runBackup, type BackupDependencies, type BackupTarget } from './run-backup.ts';

const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))); });

async function localTarget(id: string): Promise<BackupTarget & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'dbk-run-'));
  dirs.push(dir);
  return { id, name: `disk ${id}`, dir, storage: createStorage(createLocalDestination({ basePath: dir })) };
}

const transforms = createBackupTransforms({ encryptionChunkSize: 64 * 1024 });
const logs: string[] = [];
const deps: BackupDependencies = {
  transforms,
  clock: { now: () => new Date('2024-01-16T12:00:00Z') },
  appVersion: 'test',
  log: (_level, message) => logs.push(message),
};
const job = { id: 'j1', name: 'Nightly', folderName: 'nightly', compression: 'gzip' as const };

describe('runBackup', () => {
  it('stores an encrypted, compressed backup and its sidecar on every target', async () => {
    const [a, b] = [await localTarget('a'), await localTarget('b')];
    const key = generateEncryptionKey();
    const size = 3 * 1024 * 1024 + 17;
    const outcome = await runBackup({ job, source: createGeneratedSource(size), sourceType: 'postgres', database: 'shop', targets: [a, b], encryption: { profileId: 'p1', key } }, deps);

    expect(outcome.error).toBeUndefined();
    expect(outcome.key).toBe('nightly/backup_2024-01-16T12-00-00.sql.gz.enc');
    expect(outcome.results.map((r) => r.status)).toEqual(['success', 'success']);
    for (const target of [a, b]) {
      const stored = await readFile(join(target.dir, outcome.key));
      const sidecar = parseSidecar(await readFile(join(target.dir, `${outcome.key}.meta.json`), 'utf8'), 'sidecar');
      expect(sidecar.storedSize).toBe(stored.length);
      expect(sidecar.contentHash).toBe(contentHashOf(stored));
      expect(sidecar.originalSize).toBe(size);
      expect(sidecar.encryption?.profileId).toBe('p1');
      const restored = await digestStream(Readable.from([stored]).compose(transforms.decrypt(key)).compose(transforms.decompress('gzip')));
      expect(restored).toEqual(await generatedDataDigest(size));
    }
  });

  it('keeps the backup on healthy targets when one destination fails, and nothing on the failed one', async () => {
    const good = await localTarget('good');
    const broken = await localTarget('broken');
    const failing: Destination = {
      ...broken.storage,
      async write(writeKey, source) {
        let seen = 0;
        for await (const chunk of source) {
          seen += (chunk as Buffer).length;
          if (seen > 100_000) throw new Error('disk unplugged');
        }
        return broken.storage.write(writeKey, Readable.from([]));
      },
    };
    const outcome = await runBackup({ job: { ...job, compression: 'none' }, source: createGeneratedSource(2_000_000), sourceType: 'postgres', database: 'shop', targets: [good, { ...broken, storage: createStorage(failing) }] }, deps);

    expect(outcome.results.map((r) => r.status)).toEqual(['success', 'failed']);
    expect(outcome.results[1]?.error?.message).toMatch(/disk unplugged/);
    expect(await readdir(join(good.dir, 'nightly'))).toHaveLength(2);
    expect(await readdir(broken.dir)).toEqual([]);
  });

  it('hands every target the digests of the 4 MiB blocks it is sent, each known once the block has arrived', async () => {
    const [a, b] = [await localTarget('a'), await localTarget('b')];
    const blockSize = 4 * 1024 * 1024;
    const checks: { blocks: number; wrong: number[] }[] = [];
    const checking = (target: BackupTarget): BackupTarget => ({
      ...target,
      storage: createStorage({
        ...target.storage,
        async write(writeKey, source, options) {
          if (writeKey.endsWith('.meta.json')) return target.storage.write(writeKey, source, options);
          const check = { blocks: 0, wrong: [] as number[] };
          checks.push(check);
          const verify = (bytes: Buffer) => {
            const given = options?.blockDigests?.digest(check.blocks);
            if (given === undefined || !Buffer.from(given).equals(createHash('sha256').update(bytes).digest())) check.wrong.push(check.blocks);
            check.blocks++;
          };
          const pieces: Buffer[] = [];
          let received = 0;
          for await (const chunk of source) {
            pieces.push(chunk as Buffer);
            received += (chunk as Buffer).length;
            while ((check.blocks + 1) * blockSize <= received) verify(Buffer.concat(pieces).subarray(check.blocks * blockSize, (check.blocks + 1) * blockSize));
          }
          const whole = Buffer.concat(pieces);
          if (whole.length > check.blocks * blockSize) verify(whole.subarray(check.blocks * blockSize));
          return target.storage.write(writeKey, Readable.from([whole]), options);
        },
      }),
    });
    const size = 2 * blockSize + 123_456;
    const outcome = await runBackup({ job: { ...job, compression: 'none' }, source: createGeneratedSource(size), sourceType: 'postgres', database: 'shop', targets: [checking(a), checking(b)], encryption: { profileId: 'p1', key: generateEncryptionKey() } }, deps);

    expect(outcome.results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(checks).toEqual([{ blocks: 3, wrong: [] }, { blocks: 3, wrong: [] }]);
  });

  it('fails every target and leaves nothing when the dump breaks midway', async () => {
    const target = await localTarget('a');
    const outcome = await runBackup({ job, source: createGeneratedSource(5_000_000, { failAfter: 1_000_000 }), sourceType: 'postgres', database: 'shop', targets: [target] }, deps);
    expect(outcome.error?.message).toMatch(/broke after/);
    expect(outcome.results[0]?.status).toBe('failed');
    const leftovers = await readdir(target.dir, { recursive: true });
    expect(leftovers.filter((name) => name.includes('backup_'))).toEqual([]);
  });

  it('removes the file when its sidecar cannot be written', async () => {
    const target = await localTarget('a');
    const noSidecars: Destination = {
      ...target.storage,
      write: (writeKey, source, options) => writeKey.endsWith('.meta.json')
        ? Promise.reject(new Error('sidecar refused'))
        : target.storage.write(writeKey, source, options),
    };
    const outcome = await runBackup({ job, source: createGeneratedSource(10_000), sourceType: 'postgres', database: 'shop', targets: [{ ...target, storage: noSidecars }] }, deps);
    expect(outcome.results[0]?.status).toBe('failed');
    expect(outcome.results[0]?.error?.message).toMatch(/sidecar refused/);
    expect(await target.storage.stat(outcome.key)).toBeUndefined();
  });

  it('stops and keeps nothing when cancelled', async () => {
    const target = await localTarget('a');
    const controller = new AbortController();
    const source = createGeneratedSource(50_000_000, { stallAfter: 1_000_000, onStall: () => controller.abort() });
    const run = runBackup({ job, source, sourceType: 'postgres', database: 'shop', targets: [target], signal: controller.signal }, deps);
    const outcome = await run;
    expect(outcome.results[0]?.status).toBe('failed');
    expect(outcome.results[0]?.error?.code).toBe('cancelled');
    expect((await readdir(target.dir, { recursive: true })).filter((n) => n.includes('backup_'))).toEqual([]);
  });
});
