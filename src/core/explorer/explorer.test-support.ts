/**
 * A destination holding real backups for the explorer and restore tests: two jobs (one gzip +
 * encrypted, one zstd) backed up once each by the real job runner into a local temp folder.
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { keyTools } from '../../adapters/crypto/key-tools.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { DestinationRecord, Job, SourceRecord } from '../../ports/metadata-store.port.ts';
import type { DatabaseSource, RestoreOptions } from '../../ports/source.port.ts';
import { digestStream, type StreamDigest } from '../../test-support/generated-data.ts';
import { DBackupError } from '../errors.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { openServiceTestContext, type ServiceTestContext } from '../catalog/services.test-support.ts';
import { createEncryptionProfilesService, type EncryptionProfilesService } from '../encryption/encryption-profiles.service.ts';
import { createJobRunner } from '../jobs/job-runner.ts';
import { createStorage } from '../storage.ts';

export const DUMP_SIZE = 300_000;
export const ENCRYPTED_KEY = 'shop/backup_2024-01-16T12-00-00.sql.gz.enc';
export const PLAIN_KEY = 'blog/backup_2024-01-16T12-00-00.sql.zst';

export interface BackupsFixture {
  ctx: ServiceTestContext;
  profiles: EncryptionProfilesService;
  basePath: string;
  destination: DestinationRecord;
  source: SourceRecord;
  encryptedJob: Job;
  plainJob: Job;
  open(record: DestinationRecord): Destination;
}

export async function createBackupsFixture(): Promise<BackupsFixture> {
  const ctx = await openServiceTestContext('2024-01-16T12:00:00Z');
  const basePath = join(ctx.dir, 'disk');
  const open = (record: DestinationRecord): Destination => createStorage(createLocalDestination({ basePath: String(record.config.basePath) }));
  const profiles = createEncryptionProfilesService({ store: ctx.store, keys: keyTools, clock: ctx.clock });
  const profile = await profiles.create('Offsite key');
  const source = await ctx.store.sources.create({ type: 'postgres', name: 'Main', host: '127.0.0.1', username: 'postgres' });
  const destination = await ctx.store.destinations.create({ type: 'local', name: 'Disk', config: { basePath } });
  const encryptedJob = await ctx.store.jobs.create({ name: 'Shop', folderName: 'shop', sourceId: source.id, database: 'shop', destinationIds: [destination.id], compression: 'gzip', encryptionProfileId: profile.id });
  const plainJob = await ctx.store.jobs.create({ name: 'Blog', folderName: 'blog', sourceId: source.id, database: 'blog', destinationIds: [destination.id], compression: 'zstd' });
  const runner = createJobRunner({
    store: ctx.store,
    resolve: async (job) => ({
      source: createGeneratedSource(DUMP_SIZE), sourceType: 'postgres', database: job.database ?? 'x',
      targets: [{ id: destination.id, name: 'Disk', storage: open(destination) }],
      encryption: job.encryptionProfileId ? await profiles.keyOf(job.encryptionProfileId) : undefined,
    }),
    transforms: createBackupTransforms(), clock: ctx.clock, appVersion: 'test',
  });
  await runner.enqueue(encryptedJob.id, 'manual');
  await runner.enqueue(plainJob.id, 'manual');
  await runner.idle();
  return { ctx, profiles, basePath, destination, source, encryptedJob, plainJob, open };
}

/** How a fake restore target behaves: consume the dump, refuse it, wait until cancelled, or destroy its input then refuse (as the SQLite source does). */
export type TargetBehaviour = 'consume' | 'conflict' | 'hang' | 'destroy-then-conflict';

export interface RestoredDump { record: SourceRecord; database: string; options: RestoreOptions | undefined; digest: StreamDigest }

/**
 * A target database that hashes what it is fed instead of loading it, and records it in
 * `restored`. `behaviour()` is asked at each restore, so a test can change it between restores.
 */
export function fakeRestoreTarget(record: SourceRecord, behaviour: () => TargetBehaviour, restored: RestoredDump[] = []): DatabaseSource {
  return {
    engine: record.type,
    displayName: record.name,
    testConnection: async () => ({ engine: record.type, serverVersion: '1' }),
    listDatabases: async () => [],
    dump: () => Promise.reject(new Error('not used')),
    async restore(database: string, input: Readable, options?: RestoreOptions) {
      const mode = behaviour();
      if (mode === 'destroy-then-conflict') {
        input.destroy();
        throw new DBackupError('conflict', 'The target already holds tables.');
      }
      if (mode === 'conflict') throw new DBackupError('conflict', `Database "${database}" is not empty. Tick "replace existing data" or choose a new name.`);
      if (mode === 'hang') {
        await new Promise((_resolve, reject) => {
          const cancelled = () => reject(new DBackupError('cancelled', 'Cancelled.'));
          if (options?.signal?.aborted) cancelled();
          options?.signal?.addEventListener('abort', cancelled);
        });
      }
      restored.push({ record, database, options, digest: await digestStream(input) });
    },
  };
}
