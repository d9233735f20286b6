import type { Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { backupRoutes } from './backups.routes.ts';
import { dashboardRoutes } from './dashboard.routes.ts';
import { jobRoutes } from './jobs.routes.ts';
import { profileRoutes } from './profiles.routes.ts';
import { runRoutes } from './runs.routes.ts';
import { sourceRoutes } from './sources.routes.ts';
import { webhookRoutes } from './webhooks.routes.ts';

/** Every route of the backup engine: sources, jobs, runs, profiles, storage explorer, dashboard, notification webhooks. */
export function engineRoutes(services: BackupServices): Route[] {
  return [
    ...sourceRoutes(services),
    ...jobRoutes(services),
    ...runRoutes(services),
    ...profileRoutes(services),
    ...backupRoutes(services),
    ...dashboardRoutes(services),
    ...webhookRoutes(services),
  ];
}
