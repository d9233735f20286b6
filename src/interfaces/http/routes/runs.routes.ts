import { json } from '../json.ts';
import type { RequestContext, Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { queryDate, queryInteger } from './body-fields.ts';

/** Run history, one run with live progress, its log (incremental) and cancellation. */
export function runRoutes({ runs }: Pick<BackupServices, 'runs'>): Route[] {
  const id = (context: RequestContext) => context.params.id ?? '';
  return [
    {
      method: 'GET',
      path: '/api/runs',
      access: 'user',
      handler: async ({ url }) =>
        json(await runs.list({
          jobId: url.searchParams.get('jobId') || undefined,
          status: url.searchParams.get('status') || undefined,
          before: queryDate(url, 'before'),
          limit: queryInteger(url, 'limit'),
        })),
    },
    { method: 'GET', path: '/api/runs/:id', access: 'user', handler: async (context) => json(await runs.get(id(context))) },
    { method: 'GET', path: '/api/runs/:id/logs', access: 'user', handler: async (context) => json(await runs.logs(id(context), queryInteger(context.url, 'afterSeq'))) },
    { method: 'POST', path: '/api/runs/:id/cancel', access: 'user', handler: async (context) => json(await runs.cancel(id(context))) },
  ];
}
