import { json } from '../json.ts';
import type { Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { queryInteger } from './body-fields.ts';

/** The home page's figures; `tz` is the viewer's time zone for the per-day buckets. */
export function dashboardRoutes({ dashboard }: Pick<BackupServices, 'dashboard'>): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/dashboard',
      access: 'user',
      handler: async ({ url }) => json(await dashboard.get({ timeZone: url.searchParams.get('tz') || undefined, days: queryInteger(url, 'days') })),
    },
  ];
}
