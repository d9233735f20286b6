import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import type { Destination } from '../../ports/destination.port.ts';
import { createStorage } from '../storage.ts';
import { applyRetentionOnDestination } from './apply-retention.ts';
import { backupFileName, sidecarKeyFor } from './backup-naming.ts';
import { serializeSidecar, type BackupSidecar } from './sidecar.ts';

let dir: string;
let storage: Destination;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbk-ret-'));
  storage = createStorage(createLocalDestination({ basePath: dir }));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const put = (key: string, text = 'x') => storage.write(key, Readable.from([Buffer.from(text)]));

async function backupAt(folder: string, iso: string, sidecarStartedAt = iso): Promise<string> {
  const key = `${folder}/${backupFileName(new Date(iso), 'gzip', false)}`;
  await put(key);
  const sidecar: BackupSidecar = {
    formatVersion: 1, appVersion: 'test', job: { id: 'j', name: folder },
    source: { type: 'postgres', engine: 'postgres', engineVersion: '15', dumpTool: 'pg_dump', dumpToolVersion: '15' },
    database: 'db', startedAt: sidecarStartedAt, endedAt: sidecarStartedAt, durationMs: 0,
    originalSize: 1, storedSize: 1, sha256: '0'.repeat(64), contentHash: '0'.repeat(64), compression: 'gzip', encryption: null,
  };
  await put(sidecarKeyFor(key), serializeSidecar(sidecar));
  return key;
}

async function keys(): Promise<string[]> {
  const all: string[] = [];
  for await (const file of storage.list('')) all.push(file.key);
  return all.sort();
}

describe('retention on a destination', () => {
  const log = () => undefined;

  it('removes old backups with their sidecars, only in the job folder, never the one just made', async () => {
    const old1 = await backupAt('nightly', '2024-01-10T00:00:00Z');
    const old2 = await backupAt('nightly', '2024-01-11T00:00:00Z');
    const recent = await backupAt('nightly', '2024-01-12T00:00:00Z');
    const other = await backupAt('nightly-2', '2024-01-01T00:00:00Z');
    // A clock that jumped back made the newest backup's sidecar older than everything else.
    const justMade = await backupAt('nightly', '2024-01-13T00:00:00Z', '2023-01-01T00:00:00Z');

    const outcome = await applyRetentionOnDestination(storage, 'nightly', { keepLast: 1 }, justMade, log);

    expect(outcome.removed.sort()).toEqual([old1, old2]);
    expect(await keys()).toEqual([justMade, sidecarKeyFor(justMade), recent, sidecarKeyFor(recent), other, sidecarKeyFor(other)].sort());
  });

  it('orders by the sidecar timestamp, not the file name', async () => {
    const namedNew = await backupAt('job', '2024-02-01T00:00:00Z', '2024-01-01T00:00:00Z');
    const namedOld = await backupAt('job', '2024-01-15T00:00:00Z', '2024-01-20T00:00:00Z');
    const justMade = await backupAt('job', '2024-03-01T00:00:00Z');
    const outcome = await applyRetentionOnDestination(storage, 'job', { keepLast: 2 }, justMade, log);
    expect(outcome.removed).toEqual([namedNew]);
    expect(outcome.kept).toContain(namedOld);
  });

  it('leaves files without a sidecar and foreign files alone', async () => {
    await put('job/backup_2020-01-01T00-00-00.sql');
    await put('job/notes.txt');
    const justMade = await backupAt('job', '2024-03-01T00:00:00Z');
    const outcome = await applyRetentionOnDestination(storage, 'job', { keepLast: 1 }, justMade, log);
    expect(outcome.removed).toEqual([]);
    expect(await keys()).toContain('job/notes.txt');
  });

  it('does nothing without a policy', async () => {
    await backupAt('job', '2024-01-01T00:00:00Z');
    const justMade = await backupAt('job', '2024-03-01T00:00:00Z');
    expect((await applyRetentionOnDestination(storage, 'job', {}, justMade, log)).removed).toEqual([]);
  });
});
