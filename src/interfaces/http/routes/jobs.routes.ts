import type { JobInput } from '../../../core/jobs/jobs.service.ts';
import { json, noContent, readJsonObject } from '../json.ts';
import type { RequestContext, Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { flag, object, text, textList, textOrNumber } from './body-fields.ts';

/** Backup jobs: CRUD, run now, schedule presets and previews. */
export function jobRoutes({ jobs, schedulePresets }: Pick<BackupServices, 'jobs' | 'schedulePresets'>): Route[] {
  const id = (context: RequestContext) => context.params.id ?? '';
  const input = async (context: RequestContext) => parseJobInput(await readJsonObject(context.request));
  return [
    { method: 'GET', path: '/api/jobs', access: 'user', handler: async () => json(await jobs.list()) },
    { method: 'POST', path: '/api/jobs', access: 'user', handler: async (context) => json(await jobs.create(await input(context)), 201) },
    { method: 'GET', path: '/api/jobs/:id', access: 'user', handler: async (context) => json(await jobs.get(id(context))) },
    { method: 'PUT', path: '/api/jobs/:id', access: 'user', handler: async (context) => json(await jobs.update(id(context), await input(context))) },
    {
      method: 'DELETE',
      path: '/api/jobs/:id',
      access: 'user',
      handler: async (context) => {
        await jobs.remove(id(context));
        return noContent();
      },
    },
    { method: 'POST', path: '/api/jobs/:id/run', access: 'user', handler: async (context) => json(await jobs.runNow(id(context)), 202) },
    { method: 'GET', path: '/api/schedules', access: 'user', handler: () => json({ presets: schedulePresets }) },
    {
      method: 'POST',
      path: '/api/schedules/preview',
      access: 'user',
      handler: async (context) => {
        const body = await readJsonObject(context.request);
        const count = textOrNumber(body, 'count');
        return json({ next: jobs.preview({ cron: text(body, 'cron'), timezone: text(body, 'timezone') }, count === undefined ? 5 : Number(count) || 5) });
      },
    },
  ];
}

function parseJobInput(body: Record<string, unknown>): JobInput {
  const schedule = object(body, 'schedule');
  const retention = object(body, 'retention') ?? {};
  return {
    name: text(body, 'name'),
    sourceId: text(body, 'sourceId'),
    database: text(body, 'database'),
    destinationIds: textList(body, 'destinationIds'),
    schedule: schedule ? { cron: text(schedule, 'cron'), timezone: text(schedule, 'timezone') } : null,
    compression: text(body, 'compression'),
    encryptionProfileId: text(body, 'encryptionProfileId') || null,
    retention: {
      keepLast: textOrNumber(retention, 'keepLast'),
      daily: textOrNumber(retention, 'daily'),
      weekly: textOrNumber(retention, 'weekly'),
      monthly: textOrNumber(retention, 'monthly'),
      yearly: textOrNumber(retention, 'yearly'),
    },
    enabled: flag(body, 'enabled'),
  };
}
