import type { DatabaseSource } from '../../ports/source.port.ts';
import type { Job } from '../../ports/metadata-store.port.ts';
import type { BackupTarget } from '../backup/run-backup.ts';

/**
 * Everything a run needs, resolved from the job's stored references by the composition root
 * (which knows how to build sources and destinations and decrypt the profile key).
 */
export interface JobResources {
  source: DatabaseSource;
  /** As configured: `postgres`, `mysql`, `mariadb`, `sqlite`. */
  sourceType: string;
  database: string;
  targets: BackupTarget[];
  encryption?: { profileId: string; key: Uint8Array };
}

/** Throws a `DBackupError` that says what is missing (source deleted, destination gone, …). */
export type ResolveJobResources = (job: Job) => Promise<JobResources>;
