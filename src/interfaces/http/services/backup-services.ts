import { createDashboardService } from '../../../core/catalog/dashboard.service.ts';
import { createSourcesService } from '../../../core/catalog/sources.service.ts';
import { createStorageExplorer } from '../../../core/explorer/storage-explorer.service.ts';
import { createJobsService } from '../../../core/jobs/jobs.service.ts';
import { createRunsService } from '../../../core/jobs/runs.service.ts';
import { createWebhooksService } from '../../../core/notifications/webhooks.service.ts';
import type { Engine } from '../../../engine.ts';
import type { Clock } from '../../../ports/clock.port.ts';
import type { MetadataStore } from '../../../ports/metadata-store.port.ts';
import type { BackupServices } from './services.ts';

export interface BackupServicesOptions {
  store: MetadataStore;
  engine: Pick<Engine, 'runner' | 'schedule' | 'profiles' | 'transforms' | 'restores' | 'notifications' | 'openDestination' | 'openSource'>;
  clock: Clock;
  /** Schedule presets of the cron adapter (name → expression). */
  schedulePresets: Readonly<Record<string, string>>;
}

/** Builds the services behind the backup engine's API routes from the engine's pieces. */
export function createBackupServices(options: BackupServicesOptions): BackupServices {
  const { store, engine, clock } = options;
  return {
    sources: createSourcesService({ store, openSource: engine.openSource }),
    jobs: createJobsService({ store, runner: engine.runner, schedule: engine.schedule, presets: options.schedulePresets, clock }),
    runs: createRunsService({ store, runner: engine.runner }),
    profiles: engine.profiles,
    explorer: createStorageExplorer({ store, openDestination: engine.openDestination, transforms: engine.transforms, keyForFingerprint: engine.profiles.keyForFingerprint, clock }),
    restores: engine.restores,
    dashboard: createDashboardService({ store, schedule: engine.schedule, clock }),
    webhooks: createWebhooksService({ store, notifications: engine.notifications }),
    schedulePresets: options.schedulePresets,
  };
}
