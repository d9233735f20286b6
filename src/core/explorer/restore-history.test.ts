import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalScratchSpace } from '../../adapters/scratch/local-scratch.ts';
import type { RestoresRepository, SourceRecord } from '../../ports/metadata-store.port.ts';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';
import { runRestore } from '../restore/run-restore.ts';
import { createBackupsFixture, ENCRYPTED_KEY, fakeRestoreTarget, PLAIN_KEY, type BackupsFixture, type TargetBehaviour } from './explorer.test-support.ts';
import { recoverInterruptedRestores } from './recover-interrupted-restores.ts';
import type { RestoreOperations } from './restore-operation.ts';
import { createRestoreOperations, type RestoreOperationsOptions } from './restore-operations.ts';

let fx: BackupsFixture;
let behaviour: TargetBehaviour;
/** Processes: `gone:…` have ended, every other owner is alive (as in the job runner tests). */
const ownership: ProcessOwnership = { self: 'this-process', hasEnded: (owner) => owner?.startsWith('gone:') ?? true };

const openTarget = (record: SourceRecord): DatabaseSource => fakeRestoreTarget(record, () => behaviour);

function operationsOn(overrides: Partial<RestoreOperationsOptions> = {}): RestoreOperations {
  const transforms = createBackupTransforms();
  const scratch = createLocalScratchSpace(join(fx.ctx.dir, 'scratch'));
  return createRestoreOperations({
    store: fx.ctx.store,
    openDestination: fx.open,
    openSource: openTarget,
    restore: (request, hooks) => runRestore(request, { transforms, scratch, keyForFingerprint: fx.profiles.keyForFingerprint, ...hooks }),
    clock: fx.ctx.clock,
    ownership,
    ...overrides,
  });
}

beforeEach(async () => {
  fx = await createBackupsFixture();
  behaviour = 'consume';
});
afterEach(() => fx.ctx.close());

const plain = () => ({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id, database: 'blog_copy', createDatabase: true });

describe('restore history', () => {
  it('survives a re-created RestoreOperations on the same store (a restart): outcome, options, times and log', async () => {
    const first = operationsOn();
    const ok = await first.run({ ...plain(), skipOwnership: true });
    fx.ctx.clock.advance(60_000);
    behaviour = 'conflict';
    await expect(first.run({ destinationId: fx.destination.id, key: ENCRYPTED_KEY, sourceId: fx.source.id })).rejects.toMatchObject({ code: 'conflict' });

    const restarted = operationsOn();
    const history = await restarted.list();
    expect(history.map((restore) => restore.status)).toEqual(['failed', 'success']);
    expect(history[1]).toMatchObject({
      id: ok.id, destinationName: 'Disk', key: PLAIN_KEY, sourceName: 'Main', database: 'blog_copy', owner: 'this-process',
      options: { createDatabase: true, dropExisting: false, skipOwnership: true }, startedAt: new Date('2024-01-16T12:00:00Z'), endedAt: new Date('2024-01-16T12:00:00Z'),
    });
    expect(history[0]).toMatchObject({ database: 'shop', error: { code: 'conflict', message: expect.stringContaining('not empty') } });
    const again = await restarted.get(ok.id);
    expect(again.log.map((line) => line.message).join('\n')).toMatch(/Restoring backup_2024-01-16T12-00-00\.sql\.zst from Disk into blog_copy on Main[\s\S]*Ownership and privileges[\s\S]*Downloading…[\s\S]*Restoring…[\s\S]*finished successfully/);
    expect(again.totalBytes).toBeGreaterThan(0);
    expect((await restarted.list({ status: 'failed' })).map((restore) => restore.database)).toEqual(['shop']);
    expect((await restarted.list({ limit: 1 })).map((restore) => restore.status)).toEqual(['failed']);
    expect((await restarted.list({ before: history[0]!.startedAt })).map((restore) => restore.id)).toEqual([ok.id]);
    await expect(restarted.list({ status: 'exploded' })).rejects.toMatchObject({ code: 'invalid_input' });
    // A deleted destination stays in the history by name only.
    await fx.ctx.store.jobs.delete(fx.encryptedJob.id);
    await fx.ctx.store.jobs.delete(fx.plainJob.id);
    await fx.ctx.store.destinations.delete(fx.destination.id);
    expect((await restarted.get(ok.id)).destinationName).toBe('(deleted destination)');
  });

  it('writes progress through at most about once a second, not per chunk, and ends with the outcome', async () => {
    const updates: Array<Parameters<RestoresRepository['update']>[1]> = [];
    const restores: RestoresRepository = { ...fx.ctx.store.restores, update: (id, patch) => { updates.push(patch); return fx.ctx.store.restores.update(id, patch); } };
    const operations = operationsOn({
      store: { ...fx.ctx.store, restores },
      restore: async (_request, hooks) => {
        for (let bytes = 1; bytes <= 5000; bytes++) hooks.onProgress({ stage: 'downloading', bytes: bytes * 100 });
        hooks.onProgress({ stage: 'restoring', bytes: 0 });
        for (let bytes = 1; bytes <= 5000; bytes++) hooks.onProgress({ stage: 'restoring', bytes });
      },
    });
    const done = await operations.run(plain());
    expect(updates.map((patch) => patch.stage)).toEqual(['downloading', 'restoring', null]);
    expect(updates.at(-1)).toMatchObject({ status: 'success', bytes: 5000 });
    expect(done).toMatchObject({ status: 'success', bytes: 5000, stage: undefined });
  });

  it('run() waits, reports progress and log lines, and is cancelled by its signal (recorded as cancelled)', async () => {
    const stages: string[] = [];
    const lines: string[] = [];
    const done = await operationsOn().run(plain(), { onProgress: ({ stage }) => stages.push(stage), onLog: (_level, message) => lines.push(message) });
    expect(done.status).toBe('success');
    expect(new Set(stages)).toEqual(new Set(['downloading', 'restoring']));
    expect(lines.at(-1)).toBe('Restore finished successfully.');

    behaviour = 'hang';
    const controller = new AbortController();
    const operations = operationsOn();
    const running = operations.run(plain(), { signal: controller.signal, onProgress: ({ stage }) => { if (stage === 'restoring') controller.abort(); } });
    await expect(running).rejects.toMatchObject({ code: 'cancelled' });
    expect((await operations.list())[0]).toMatchObject({ status: 'cancelled', error: { message: 'The restore was cancelled.' } });
  });

  it('at startup, marks interrupted only the running restores whose process has ended, saying the target may be incomplete', async () => {
    const record = { destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id, sourceName: 'Main', options: { createDatabase: true, dropExisting: false, skipOwnership: false } };
    const dead = await fx.ctx.store.restores.create({ ...record, database: 'blog_copy', owner: 'gone:4242' });
    const alive = await fx.ctx.store.restores.create({ ...record, database: 'blog_live', owner: 'cli:77' });
    const warnings: string[] = [];

    const interrupted = await recoverInterruptedRestores(fx.ctx.store, ownership, (_level, message) => warnings.push(message));
    expect(interrupted.map((restore) => restore.id)).toEqual([dead.id]);
    const message = interrupted[0]!.errorMessage!;
    expect(message).toContain('backup_2024-01-16T12-00-00.sql.zst into database "blog_copy" on Main');
    expect(message).toMatch(/may be only partly restored: restore the backup again .* or drop that database, before using it/);
    expect(warnings).toEqual([`Restore interrupted: ${message}`]);

    const operations = operationsOn();
    expect(await operations.get(dead.id)).toMatchObject({ status: 'interrupted', error: { code: 'interrupted', message }, endedAt: expect.any(Date) });
    expect((await operations.get(dead.id)).log.at(-1)).toMatchObject({ level: 'error', message });
    expect((await operations.get(alive.id)).status).toBe('running');
    // A live restore of another process is cancelled there, not here.
    await expect(operations.cancel(alive.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('Ctrl-C') });
    expect(await recoverInterruptedRestores(fx.ctx.store, ownership)).toEqual([]);
  });

  it('a running restore found after its process ended (a killed CLI restore) is reported interrupted without waiting for a restart', async () => {
    const killed = await fx.ctx.store.restores.create({
      destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id, sourceName: 'Main', database: 'blog', owner: 'gone:1',
      options: { createDatabase: false, dropExisting: true, skipOwnership: false },
    });
    const operations = operationsOn();
    expect((await operations.list()).find((restore) => restore.id === killed.id)).toMatchObject({ status: 'interrupted', error: { message: expect.stringContaining('"blog" on Main may be only partly restored') } });
    // Without ownership nothing can be told about other processes: the record is shown as stored.
    const other = await fx.ctx.store.restores.create({ destinationId: fx.destination.id, key: PLAIN_KEY, sourceId: fx.source.id, sourceName: 'Main', database: 'x', owner: 'gone:2', options: { createDatabase: false, dropExisting: false, skipOwnership: false } });
    expect((await operationsOn({ ownership: undefined }).get(other.id)).status).toBe('running');
  });
});
