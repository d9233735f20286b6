import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCronerSchedule } from '../../adapters/schedule/croner.schedule.ts';
import type { Job, RunStatus } from '../../ports/metadata-store.port.ts';
import { createDashboardService } from './dashboard.service.ts';
import { openServiceTestContext, type ServiceTestContext } from './services.test-support.ts';

let ctx: ServiceTestContext;
let shop: Job;
let blog: Job;

beforeEach(async () => {
  ctx = await openServiceTestContext('2024-03-01T08:00:00Z');
  const source = await ctx.store.sources.create({ type: 'postgres', name: 'Main', host: '127.0.0.1', username: 'postgres' });
  const destination = await ctx.store.destinations.create({ type: 'local', name: 'disk', config: { basePath: ctx.dir } });
  shop = await ctx.store.jobs.create({ name: 'Shop', folderName: 'shop', sourceId: source.id, database: 'shop', destinationIds: [destination.id], schedule: { cron: '0 2 * * *', timezone: 'UTC' } });
  blog = await ctx.store.jobs.create({ name: 'Blog', folderName: 'blog', sourceId: source.id, database: 'blog', destinationIds: [destination.id] });
});
afterEach(() => ctx.close());

/** A run queued at `at` that ended a minute later with `status`. */
async function runAt(job: Job, at: string, status: RunStatus, bytes = 0, storedBytes?: number) {
  ctx.clock.set(at);
  const run = await ctx.store.runs.create({ jobId: job.id, trigger: 'schedule' });
  const endedAt = new Date(new Date(at).getTime() + 60_000);
  return ctx.store.runs.update(run.id, {
    status, bytes, endedAt,
    destinationResults: storedBytes === undefined ? [] : [{ destinationId: job.destinationIds[0]!, status: 'success', bytes: storedBytes }],
  });
}

describe('dashboard service', () => {
  it('counts outcomes per day in the time zone, with empty days as zeros', async () => {
    await runAt(shop, '2024-02-28T02:00:00Z', 'success', 1000, 400);
    await runAt(shop, '2024-02-29T02:00:00Z', 'failed');
    await runAt(blog, '2024-02-29T23:30:00Z', 'partial', 500, 200); // ends 00:31 on 1 March in Berlin (UTC+1)
    await runAt(blog, '2024-01-01T02:00:00Z', 'success', 10, 5); // outside the window
    ctx.clock.set('2024-03-01T08:00:00Z');

    const service = createDashboardService({ store: ctx.store, schedule: createCronerSchedule(), clock: ctx.clock });
    const utc = await service.get({ days: 7 });
    expect(utc.outcomes).toHaveLength(7);
    expect(utc.outcomes.at(0)?.day).toBe('2024-02-24');
    expect(utc.outcomes.slice(-3)).toEqual([
      { day: '2024-02-28', success: 1, partial: 0, failed: 0 },
      { day: '2024-02-29', success: 0, partial: 1, failed: 1 },
      { day: '2024-03-01', success: 0, partial: 0, failed: 0 },
    ]);
    const berlin = await service.get({ days: 7, timeZone: 'Europe/Berlin' });
    expect(berlin.outcomes.slice(-2)).toEqual([
      { day: '2024-02-29', success: 0, partial: 0, failed: 1 },
      { day: '2024-03-01', success: 0, partial: 1, failed: 0 },
    ]);
    await expect(service.get({ timeZone: 'Nowhere/City' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('shows each job with its last result and next run, and stored size per job over time', async () => {
    await runAt(shop, '2024-02-27T02:00:00Z', 'success', 1000, 400);
    await runAt(shop, '2024-02-28T02:00:00Z', 'success', 1100, 450);
    await runAt(shop, '2024-02-29T02:00:00Z', 'failed');
    ctx.clock.set('2024-03-01T08:00:00Z');
    const service = createDashboardService({ store: ctx.store, schedule: createCronerSchedule(), clock: ctx.clock });
    const dashboard = await service.get();
    expect(dashboard.jobs).toEqual([
      { id: blog.id, name: 'Blog', enabled: true },
      { id: shop.id, name: 'Shop', enabled: true, lastRun: expect.objectContaining({ status: 'failed' }), nextRunAt: new Date('2024-03-02T02:00:00Z') },
    ]);
    expect(dashboard.sizes).toEqual([
      { jobId: shop.id, jobName: 'Shop', points: [
        { at: new Date('2024-02-27T02:01:00Z'), storedBytes: 400, dumpBytes: 1000 },
        { at: new Date('2024-02-28T02:01:00Z'), storedBytes: 450, dumpBytes: 1100 },
      ] },
    ]);
  });
});
