import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../../adapters/backup-transforms.ts';
import { createLocalDestination } from '../../adapters/destinations/local/local.destination.ts';
import { createCronerSchedule, SCHEDULE_PRESETS } from '../../adapters/schedule/croner.schedule.ts';
import { createGeneratedSource } from '../../test-support/generated-source.ts';
import { openServiceTestContext, type ServiceTestContext } from '../catalog/services.test-support.ts';
import { DBackupError } from '../errors.ts';
import { createStorage } from '../storage.ts';
import { createJobRunner, type JobRunner } from './job-runner.ts';
import { createJobsService, type JobInput, type JobsService } from './jobs.service.ts';

let ctx: ServiceTestContext;
let runner: JobRunner;
let jobs: JobsService;
let base: JobInput;

beforeEach(async () => {
  ctx = await openServiceTestContext('2024-01-16T12:00:00Z');
  const source = await ctx.store.sources.create({ type: 'postgres', name: 'Main', host: '127.0.0.1', username: 'postgres' });
  const destination = await ctx.store.destinations.create({ type: 'local', name: 'disk', config: { basePath: join(ctx.dir, 'disk') } });
  runner = createJobRunner({
    store: ctx.store,
    resolve: async (job) => ({
      source: createGeneratedSource(50_000), sourceType: 'postgres', database: job.database ?? 'shop',
      targets: [{ id: destination.id, name: 'disk', storage: createStorage(createLocalDestination({ basePath: join(ctx.dir, 'disk') })) }],
    }),
    transforms: createBackupTransforms(), clock: ctx.clock, appVersion: 'test',
  });
  jobs = createJobsService({ store: ctx.store, runner, schedule: createCronerSchedule(), presets: SCHEDULE_PRESETS, clock: ctx.clock });
  base = { name: 'Nightly', sourceId: source.id, database: 'shop', destinationIds: [destination.id] };
});
afterEach(async () => {
  await runner.idle();
  await ctx.close();
});

const fieldsOf = async (promise: Promise<unknown>): Promise<Record<string, string>> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DBackupError);
  expect((error as DBackupError).code).toBe('invalid_input');
  return (error as DBackupError).details.fields as Record<string, string>;
};

describe('jobs service', () => {
  it('validates each field with its own message', async () => {
    const fields = await fieldsOf(jobs.create({
      name: '', sourceId: base.sourceId, database: '', destinationIds: [],
      schedule: { cron: 'every tuesday', timezone: 'UTC' }, compression: 'bzip2', encryptionProfileId: 'nope',
      retention: { keepLast: '-1', daily: 'x' },
    }));
    expect(Object.keys(fields).sort()).toEqual(['compression', 'cron', 'database', 'destinationIds', 'encryptionProfileId', 'name', 'retention.daily', 'retention.keepLast']);
    expect(fields.cron).toContain('not a valid cron expression');
    expect(await fieldsOf(jobs.create({ ...base, schedule: { cron: 'daily', timezone: 'Mars/Olympus' } }))).toEqual({ timezone: expect.stringContaining('Unknown time zone') });
    expect(await fieldsOf(jobs.create({ ...base, retention: { keepLast: 3, daily: 7 } }))).toEqual({ retention: expect.stringContaining('either') });
    expect(await fieldsOf(jobs.create({ ...base, sourceId: '' }))).toMatchObject({ sourceId: 'Choose a source.' });
    expect(await ctx.store.jobs.list()).toEqual([]);
  });

  it('stores presets as cron expressions, defaults to gzip, and keeps only set retention counts', async () => {
    const job = await jobs.create({ ...base, schedule: { cron: 'daily', timezone: 'Europe/Berlin' }, retention: { daily: '7', weekly: 4, monthly: '', yearly: 0 } });
    expect(job).toMatchObject({ schedule: { cron: SCHEDULE_PRESETS.daily, timezone: 'Europe/Berlin' }, compression: 'gzip', retention: { daily: 7, weekly: 4 }, enabled: true });
    // Daily at 02:00 Berlin (UTC+1 in January) after 2024-01-16T12:00Z.
    expect(job.nextRunAt?.toISOString()).toBe('2024-01-17T01:00:00.000Z');
  });

  it('gives folder names unique ignoring case and keeps the folder when a job is renamed', async () => {
    const first = await jobs.create({ ...base, name: 'Nightly Shop' });
    const second = await jobs.create({ ...base, name: 'nightly shop' });
    expect([first.folderName, second.folderName]).toEqual(['Nightly-Shop', 'nightly-shop-2']);
    const renamed = await jobs.update(first.id, { ...base, name: 'Shop every night' });
    expect(renamed).toMatchObject({ name: 'Shop every night', folderName: 'Nightly-Shop' });
  });

  it('previews the next five runs in the time zone, and rejects a bad expression per field', async () => {
    const next = jobs.preview({ cron: '30 6 * * 1-5', timezone: 'America/New_York' });
    expect(next.map((at) => at.toISOString())).toEqual([
      '2024-01-17T11:30:00.000Z', '2024-01-18T11:30:00.000Z', '2024-01-19T11:30:00.000Z', '2024-01-22T11:30:00.000Z', '2024-01-23T11:30:00.000Z',
    ]);
    expect(await fieldsOf(Promise.resolve().then(() => jobs.preview({ cron: '', timezone: 'UTC' })))).toEqual({ cron: expect.any(String) });
  });

  it('runs now, then lists the job with its last run and no next run when manual-only', async () => {
    const job = await jobs.create(base);
    const run = await jobs.runNow(job.id);
    expect(run).toMatchObject({ status: 'queued', trigger: 'manual' });
    await expect(jobs.remove(job.id)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('Cancel it or wait') });
    await runner.idle();
    const [listed] = await jobs.list();
    expect(listed).toMatchObject({ id: job.id, lastRun: { id: run.id, status: 'success' } });
    expect(listed?.nextRunAt).toBeUndefined();
    await jobs.remove(job.id);
    expect(await jobs.list()).toEqual([]);
    await expect(jobs.runNow(job.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lets SQLite jobs omit the database: the file name is its one database', async () => {
    const sqlite = await ctx.store.sources.create({ type: 'sqlite', name: 'file', sqlitePath: '/srv/app.sqlite' });
    const job = await jobs.create({ ...base, sourceId: sqlite.id, database: '' });
    expect(job.database).toBe('app.sqlite');
  });
});
