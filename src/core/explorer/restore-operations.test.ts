import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalScratchSpace } from '../../adapters/scratch/local-scratch.ts';
import type { SourceRecord } from '../../ports/metadata-store.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';
import { generatedDataDigest } from '../../test-support/generated-data.ts';
import { runRestore } from '../restore/run-restore.ts';
import { createBackupsFixture, DUMP_SIZE, ENCRYPTED_KEY, fakeRestoreTarget, PLAIN_KEY, type BackupsFixture, type RestoredDump, type TargetBehaviour } from './explorer.test-support.ts';
import type { RestoreOperation, RestoreOperations } from './restore-operation.ts';
import { createRestoreOperations } from './restore-operations.ts';
import { restoreTarget } from './restore-target.ts';

let fx: BackupsFixture;
let operations: RestoreOperations;
let restored: RestoredDump[];
let behaviour: TargetBehaviour;
const openTarget = (record: SourceRecord): DatabaseSource => fakeRestoreTarget(record, () => behaviour, restored);

beforeEach(async () => {
  fx = await createBackupsFixture();
  restored = [];
  behaviour = 'consume';
  const transforms = createBackupTransforms();
  const scratch = createLocalScratchSpace(join(fx.ctx.dir, 'scratch'));
  operations = createRestoreOperations({
    store: fx.ctx.store,
    openDestination: fx.open,
    openSource: openTarget,
    restore: (request, hooks) => runRestore(request, { transforms, scratch, keyForFingerprint: fx.profiles.keyForFingerprint, ...hooks }),
    clock: fx.ctx.clock,
  });
});
afterEach(() => fx.ctx.close());

async function finished(id: string): Promise<RestoreOperation> {
  await expect.poll(async () => (await operations.get(id)).status, { timeout: 10_000 }).not.toBe('running');
  return operations.get(id);
}

describe('restore operations', () => {
  it('restores an encrypted backup into the backed-up database by default, with progress and a log', async () => {
    const started = await operations.start({ destinationId: fx.destination.id, key: ENCRYPTED_KEY, sourceId: fx.source.id, createDatabase: true });
    expect(started).toMatchObject({ status: 'running', database: 'shop', sourceName: 'Main' });
    const done = await finished(started.id);
    expect(done).toMatchObject({ status: 'success', endedAt: expect.any(Date) });
    expect(done.log.map((line) => line.message).join('\n')).toMatch(/Restoring backup_2024-01-16T12-00-00\.sql\.gz\.enc from Disk into shop on Main[\s\S]*Downloading…[\s\S]*Restoring…[\s\S]*finished successfully/);
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ database: 'shop', options: { createDatabase: true, dropExisting: false, skipOwnership: false } });
    expect(restored[0]!.digest.sha256).toBe((await generatedDataDigest(DUMP_SIZE)).sha256);
    expect((await operations.list()).map((operation) => operation.id)).toEqual([started.id]);
  });

  it('passes skipOwnership to the source and says so in the log', async () => {
    const done = await finished((await operations.start({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id, database: 'moved', createDatabase: true, skipOwnership: true })).id);
    expect(done.status).toBe('success');
    expect(restored.at(-1)).toMatchObject({ database: 'moved', options: { skipOwnership: true } });
    expect(done.log.map((line) => line.message).join('\n')).toContain('Ownership and privileges in the backup are skipped');
  });

  it('restores into a new database name; a SQLite target with a new name is a new file beside the source file', async () => {
    const done = await finished((await operations.start({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id, database: 'blog_copy' })).id);
    expect(done.status).toBe('success');
    expect(restored[0]!.database).toBe('blog_copy');

    // The sidecar says postgres, so a SQLite target is refused first…
    const sqlite = await fx.ctx.store.sources.create({ type: 'sqlite', name: 'File', sqlitePath: '/srv/data/app.sqlite' });
    await expect(operations.start({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: sqlite.id, database: 'copy' })).rejects.toMatchObject({
      code: 'invalid_input', details: { fields: { sourceId: expect.stringContaining('postgres dump') } },
    });
    expect(restoreTarget(sqlite, 'copy', 'app.sqlite')).toMatchObject({ database: 'copy.sqlite', record: { id: sqlite.id, sqlitePath: '/srv/data/copy.sqlite' } });
    expect(restoreTarget(sqlite, 'copy.db', 'app.sqlite')).toMatchObject({ database: 'copy.db', record: { sqlitePath: '/srv/data/copy.db' } });
    expect(restoreTarget(sqlite, undefined, 'whatever.sqlite')).toMatchObject({ database: 'app.sqlite', record: { sqlitePath: '/srv/data/app.sqlite' } });
    expect(restoreTarget(sqlite, 'app.sqlite', undefined).record.sqlitePath).toBe('/srv/data/app.sqlite');
  });

  it('reports a failed restore with the target\'s message, and refuses bad requests up front', async () => {
    behaviour = 'conflict';
    const done = await finished((await operations.start({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id })).id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'conflict', message: expect.stringContaining('replace existing data') } });
    expect(done.log.at(-1)).toMatchObject({ level: 'error' });

    await expect(operations.start({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: '' })).rejects.toMatchObject({ details: { fields: { sourceId: expect.any(String) } } });
    await expect(operations.start({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id, database: 'bad name; drop' })).rejects.toMatchObject({ details: { fields: { database: expect.any(String) } } });
    await expect(operations.start({ destinationId: fx.destination.id, key: 'blog/backup_2020-01-01T00-00-00.sql', sourceId: fx.source.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(operations.start({ destinationId: 'nope', key: PLAIN_KEY, sourceId: fx.source.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(operations.get('nope')).rejects.toThrow(/No such restore/);
  });

  it('survives a target that destroys its input and refuses (regression: the AbortError of the composed input crashed the process)', async () => {
    behaviour = 'destroy-then-conflict';
    const done = await finished((await operations.start({ destinationId: fx.destination.id, key: ENCRYPTED_KEY, sourceId: fx.source.id })).id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'conflict' } });
    await new Promise((resolve) => setTimeout(resolve, 50)); // a stray 'error' event would surface as an unhandled error here
  });

  it('cancels a running restore', async () => {
    behaviour = 'hang';
    const started = await operations.start({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id });
    await expect.poll(async () => (await operations.get(started.id)).stage).toBe('restoring');
    await operations.cancel(started.id);
    expect(await finished(started.id)).toMatchObject({ status: 'cancelled', error: { message: 'The restore was cancelled.' } });
  });
});
