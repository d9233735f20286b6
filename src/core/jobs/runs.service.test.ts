import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import type { Job } from '../../ports/metadata-store.port.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { openServiceTestContext, type ServiceTestContext } from '../catalog/services.test-support.ts';
import { createStorage } from '../storage.ts';
import { createJobRunner, type JobRunner } from './job-runner.ts';
import { createRunsService, type RunsService } from './runs.service.ts';

let ctx: ServiceTestContext;
let runner: JobRunner;
let runs: RunsService;
let job: Job;
let stall = false;

beforeEach(async () => {
  ctx = await openServiceTestContext();
  stall = false;
  const source = await ctx.store.sources.create({ type: 'postgres', name: 'Main', host: '127.0.0.1', username: 'postgres' });
  const destination = await ctx.store.destinations.create({ type: 'local', name: 'Local disk', config: { basePath: join(ctx.dir, 'disk') } });
  job = await ctx.store.jobs.create({ name: 'Nightly', folderName: 'nightly', sourceId: source.id, database: 'shop', destinationIds: [destination.id] });
  runner = createJobRunner({
    store: ctx.store,
    resolve: async () => ({
      source: createGeneratedSource(5_000_000, stall ? { stallAfter: 100_000 } : {}), sourceType: 'postgres', database: 'shop',
      targets: [{ id: destination.id, name: 'Local disk', storage: createStorage(createLocalDestination({ basePath: join(ctx.dir, 'disk') })) }],
    }),
    transforms: createBackupTransforms(), clock: ctx.clock, appVersion: 'test',
  });
  runs = createRunsService({ store: ctx.store, runner });
});
afterEach(async () => {
  await runner.idle();
  await ctx.close();
});

describe('runs service', () => {
  it('shows a finished run with job and destination names, and filters by job and status', async () => {
    const queued = await runner.enqueue(job.id, 'manual');
    await runner.idle();
    const run = await runs.get(queued.id);
    expect(run).toMatchObject({ jobName: 'Nightly', status: 'success', bytes: 5_000_000, destinationResults: [{ destinationName: 'Local disk', status: 'success', key: run.backupKey }] });
    expect((await runs.list({ jobId: job.id, status: 'success' })).map((r) => r.id)).toEqual([queued.id]);
    expect(await runs.list({ status: 'failed' })).toEqual([]);
    expect(await runs.list({ jobId: 'other' })).toEqual([]);
    await expect(runs.list({ status: 'exploded' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(runs.get('missing')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('returns logs incrementally after a sequence number', async () => {
    const queued = await runner.enqueue(job.id, 'manual');
    await runner.idle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const all = await runs.logs(queued.id);
    expect(all.lines.length).toBeGreaterThan(2);
    expect(all.finished).toBe(true);
    const tail = await runs.logs(queued.id, all.lines[1]!.seq);
    expect(tail.lines.map((line) => line.seq)).toEqual(all.lines.slice(2).map((line) => line.seq));
    expect(tail.lastSeq).toBe(all.lastSeq);
    expect((await runs.logs(queued.id, all.lastSeq)).lines).toEqual([]);
  });

  it('cancels a running run', async () => {
    stall = true;
    const queued = await runner.enqueue(job.id, 'manual');
    await expect.poll(async () => (await runs.get(queued.id)).status).toBe('running');
    await runs.cancel(queued.id);
    await runner.idle();
    expect(await runs.get(queued.id)).toMatchObject({ status: 'cancelled', errorCode: 'cancelled' });
    // Cancelling a finished run changes nothing.
    expect((await runs.cancel(queued.id)).status).toBe('cancelled');
  });
});
