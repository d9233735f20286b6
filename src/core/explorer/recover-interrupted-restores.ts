import type { Repositories, RestoreRecord } from '../../ports/metadata-store.port.ts';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';

/** What an interrupted restore says: the target may be incomplete, and what to do about it. */
export function interruptedRestoreMessage(restore: Pick<RestoreRecord, 'key' | 'database' | 'sourceName'>): string {
  const fileName = restore.key.slice(restore.key.lastIndexOf('/') + 1);
  return (
    `DBackup stopped while restoring ${fileName} into database "${restore.database}" on ${restore.sourceName} (the process was killed or restarted). ` +
    `"${restore.database}" on ${restore.sourceName} may be only partly restored: restore the backup again with "Replace existing data" (--replace), or drop that database, before using it.`
  );
}

/**
 * Startup recovery of restores: a restore left `running` by a process that has ended (killed,
 * crashed) becomes `interrupted`, with a message naming the target database that may now be
 * incomplete, also appended to its log. Restores of live processes (a CLI restore beside a
 * starting server) are left alone. Without `ownership`, every running restore counts as abandoned.
 */
export async function recoverInterruptedRestores(
  store: Pick<Repositories, 'restores'>,
  ownership: ProcessOwnership | undefined,
  log: (level: 'info' | 'warn', message: string) => void = () => undefined,
): Promise<RestoreRecord[]> {
  const interrupted = await store.restores.markRunningInterrupted(interruptedRestoreMessage, (restore) => ownership?.hasEnded(restore.owner) ?? true);
  for (const restore of interrupted) {
    const message = restore.errorMessage ?? interruptedRestoreMessage(restore);
    await store.restores.appendLog(restore.id, 'error', message);
    log('warn', `Restore interrupted: ${message}`);
  }
  return interrupted;
}
