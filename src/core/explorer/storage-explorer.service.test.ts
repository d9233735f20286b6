import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { DestinationRecord } from '../../ports/metadata-store.port.ts';
import { digestStream, generatedDataDigest } from '../../test-support/generated-data.ts';
import { createBackupsFixture, DUMP_SIZE, ENCRYPTED_KEY, PLAIN_KEY, type BackupsFixture } from './explorer.test-support.ts';
import { createStorageExplorer, type StorageExplorerOptions } from './storage-explorer.service.ts';

let fx: BackupsFixture;
let ctx: BackupsFixture['ctx'];
let basePath: string;
let destination: DestinationRecord;

const explorerWith = (overrides: Partial<StorageExplorerOptions> = {}) =>
  createStorageExplorer({ store: ctx.store, openDestination: fx.open, transforms: createBackupTransforms(), keyForFingerprint: fx.profiles.keyForFingerprint, clock: ctx.clock, ...overrides });

beforeEach(async () => {
  fx = await createBackupsFixture();
  ({ ctx, basePath, destination } = fx);
});
afterEach(() => ctx.close());

describe('storage explorer', () => {
  it('lists job folders with complete backups only, with badges, sizes and the job', async () => {
    await writeFile(join(basePath, 'blog', 'backup_2024-01-01T00-00-00.sql'), 'half-made, no sidecar');
    await writeFile(join(basePath, 'blog', 'notes.txt'), 'not a backup');
    await mkdir(join(basePath, 'stray'), { recursive: true });
    const listing = await explorerWith().list(destination.id);
    expect(listing.destinationName).toBe('Disk');
    expect(listing.folders.map((folder) => [folder.name, folder.jobName, folder.backups.length, folder.incomplete])).toEqual([
      ['blog', 'Blog', 1, 1],
      ['shop', 'Shop', 1, 0],
    ]);
    const [encrypted] = listing.folders[1]!.backups;
    expect(encrypted).toMatchObject({
      key: ENCRYPTED_KEY, compression: 'gzip', encrypted: true, profileName: 'Offsite key', originalSize: DUMP_SIZE, database: 'shop',
      takenAt: new Date('2024-01-16T12:00:00Z'), storedSize: (await readFile(join(basePath, ENCRYPTED_KEY))).length,
    });
    expect(encrypted?.verifiedAt).toBeUndefined();
    expect(listing.folders[0]!.backups[0]).toMatchObject({ key: PLAIN_KEY, compression: 'zstd', encrypted: false });
  });

  it('reads sidecars from the destination when the index does not have them', async () => {
    await ctx.store.backups.delete(destination.id, PLAIN_KEY);
    const listing = await explorerWith().list(destination.id);
    expect(listing.folders[0]!.backups[0]).toMatchObject({ key: PLAIN_KEY, originalSize: DUMP_SIZE, database: 'blog' });
  });

  it('downloads the stored bytes, or the decrypted and decompressed dump named .sql', async () => {
    const explorer = explorerWith();
    const stored = await explorer.download(destination.id, ENCRYPTED_KEY, 'stored');
    expect(stored.fileName).toBe('backup_2024-01-16T12-00-00.sql.gz.enc');
    const file = await readFile(join(basePath, ENCRYPTED_KEY));
    expect(stored.size).toBe(file.length);
    expect((await digestStream(stored.stream)).sha256).toBe(createHash('sha256').update(file).digest('hex'));

    const plain = await explorer.download(destination.id, ENCRYPTED_KEY, 'decrypted');
    expect(plain.fileName).toBe('backup_2024-01-16T12-00-00.sql');
    expect((await digestStream(plain.stream)).sha256).toBe((await generatedDataDigest(DUMP_SIZE)).sha256);

    const zstd = await explorer.download(destination.id, PLAIN_KEY, 'decrypted');
    expect((await digestStream(zstd.stream)).sha256).toBe((await generatedDataDigest(DUMP_SIZE)).sha256);
  });

  it('refuses a decrypted download without the key before streaming, naming the fingerprint', async () => {
    const explorer = explorerWith({ keyForFingerprint: async () => undefined });
    await expect(explorer.download(destination.id, ENCRYPTED_KEY, 'decrypted')).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/encrypted with key \S+.*Import the exported key/) });
    await expect(explorer.download(destination.id, 'shop/../../etc/passwd', 'stored')).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('verifies by the destination content hash, records it, and detects a damaged file', async () => {
    const explorer = explorerWith();
    const result = await explorer.verify(destination.id, ENCRYPTED_KEY);
    expect(result).toMatchObject({ ok: true, method: 'content_hash', verifiedAt: new Date('2024-01-16T12:00:00Z') });
    expect((await explorer.list(destination.id)).folders[1]!.backups[0]!.verifiedAt).toEqual(new Date('2024-01-16T12:00:00Z'));

    const path = join(basePath, PLAIN_KEY);
    const bytes = await readFile(path);
    bytes[100] = bytes[100]! ^ 0xff;
    await writeFile(path, bytes);
    const damaged = await explorer.verify(destination.id, PLAIN_KEY);
    expect(damaged).toMatchObject({ ok: false, method: 'content_hash', message: expect.stringContaining('is damaged') });
    expect((await ctx.store.backups.findByKey(destination.id, PLAIN_KEY))?.verifiedAt).toBeUndefined();
  });

  it('falls back to downloading and hashing when the destination has no content hash', async () => {
    const withoutHash = (record: DestinationRecord): Destination => ({ ...fx.open(record), capabilities: {} });
    const explorer = explorerWith({ openDestination: withoutHash });
    await ctx.store.backups.delete(destination.id, PLAIN_KEY);
    expect(await explorer.verify(destination.id, PLAIN_KEY)).toMatchObject({ ok: true, method: 'download' });
    // Verifying re-created the index entry from the sidecar.
    expect(await ctx.store.backups.findByKey(destination.id, PLAIN_KEY)).toMatchObject({ jobId: fx.plainJob.id, verifiedAt: expect.any(Date) });

    await writeFile(join(basePath, PLAIN_KEY), Buffer.alloc((await readFile(join(basePath, PLAIN_KEY))).length));
    expect(await explorer.verify(destination.id, PLAIN_KEY)).toMatchObject({ ok: false, method: 'download', message: expect.stringContaining('SHA-256') });
  });

  it('deletes a backup with its sidecar and index entry', async () => {
    const explorer = explorerWith();
    await explorer.remove(destination.id, ENCRYPTED_KEY);
    await expect(readFile(join(basePath, ENCRYPTED_KEY))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(join(basePath, `${ENCRYPTED_KEY}.meta.json`))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await ctx.store.backups.findByKey(destination.id, ENCRYPTED_KEY)).toBeUndefined();
    expect((await explorer.list(destination.id)).folders.map((folder) => folder.backups.length)).toEqual([1, 0]);
    await expect(explorer.remove(destination.id, 'shop/backup_2024-01-16T12-00-00.sql.gz.enc.meta.json')).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(explorer.list('missing')).rejects.toMatchObject({ code: 'not_found' });
  });
});
