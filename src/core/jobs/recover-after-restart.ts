import type { Repositories, Run } from '../../ports/metadata-store.port.ts';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';
import { sidecarKeyFor } from '../backup/backup-naming.ts';
import type { ResolveJobResources } from './job-resources.ts';

export const INTERRUPTED_MESSAGE = 'DBackup stopped while this run was in progress (the process was killed or restarted). Incomplete files were removed; run the job again.';

/**
 * Startup recovery: runs left queued or running by a process that ended (killed, crashed) become
 * `interrupted`, and on each of their destinations a backup file without its sidecar (or a
 * sidecar without its file) is removed, so nothing half-made stays listed. A pair that was fully
 * committed is kept. Runs whose process is still alive — a CLI backup running beside the server —
 * are left alone, files and all.
 */
export async function recoverAfterRestart(
  store: Pick<Repositories, 'jobs' | 'runs'>,
  resolve: ResolveJobResources,
  log: (level: 'info' | 'warn', message: string) => void,
  ownership?: ProcessOwnership,
): Promise<Run[]> {
  const interrupted = await store.runs.markUnfinishedRunsInterrupted(INTERRUPTED_MESSAGE, (run) => ownership?.hasEnded(run.owner) ?? true);
  for (const run of interrupted) {
    if (!run.backupKey) continue;
    const job = await store.jobs.get(run.jobId);
    if (!job) continue;
    try {
      const { targets } = await resolve(job);
      for (const target of targets) {
        let abandoned = 0;
        for (const key of [run.backupKey, sidecarKeyFor(run.backupKey)]) abandoned += (await target.storage.capabilities.removeAbandonedWrites?.(key)) ?? 0;
        if (abandoned > 0) {
          const message = `Removed ${abandoned} temporary file(s) of ${run.backupKey} on ${target.name} left by an interrupted run.`;
          await store.runs.appendLog(run.id, 'info', message);
          log('info', message);
        }
        const [file, sidecar] = await Promise.all([target.storage.stat(run.backupKey), target.storage.stat(sidecarKeyFor(run.backupKey))]);
        if (file && sidecar) continue;
        if (file) await target.storage.delete(run.backupKey);
        if (sidecar) await target.storage.delete(sidecarKeyFor(run.backupKey));
        if (file || sidecar) {
          const message = `Removed the incomplete ${run.backupKey} from ${target.name} left by an interrupted run.`;
          await store.runs.appendLog(run.id, 'info', message);
          log('info', message);
        }
      }
    } catch (error) {
      log('warn', `Could not clean up after interrupted run ${run.id}: ${(error as Error).message}`);
    }
  }
  return interrupted;
}
