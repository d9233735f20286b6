import type { Destination } from '../../ports/destination.port.ts';
import { isDBackupError } from '../errors.ts';
import { applyRetention, isKeepAllPolicy, type RetentionPolicy } from '../retention/retention-policy.ts';
import { normalizePrefix } from '../storage-key.ts';
import { isSidecarKey, parseBackupFileName, sidecarKeyFor } from './backup-naming.ts';
import { parseSidecar } from './sidecar.ts';

export interface RetentionOutcome {
  kept: string[];
  removed: string[];
  /** Backups that should have been removed but could not be, with the reason. */
  failed: Array<{ key: string; message: string }>;
}

/**
 * Applies a job's retention policy to its folder on one destination. Only complete backups (file
 * and sidecar) take part, ordered by the sidecar's start time; `justMade` is never removed. Each
 * removal deletes the sidecar after its backup, so a failure leaves at worst a sidecar without a
 * file, which listings ignore. Reading a damaged sidecar falls back to the file name's timestamp.
 */
export async function applyRetentionOnDestination(
  storage: Destination,
  folderName: string,
  policy: RetentionPolicy,
  justMade: string,
  log: (level: 'info' | 'warn', message: string) => void,
  signal?: AbortSignal,
): Promise<RetentionOutcome> {
  if (isKeepAllPolicy(policy)) return { kept: [], removed: [], failed: [] };
  const prefix = normalizePrefix(folderName);
  const keys = new Set<string>();
  for await (const file of storage.list(prefix, { signal })) keys.add(file.key);

  const candidates: Array<{ key: string; takenAt: Date }> = [];
  for (const key of keys) {
    if (isSidecarKey(key) || !keys.has(sidecarKeyFor(key))) continue;
    const parsedName = parseBackupFileName(key.slice(key.lastIndexOf('/') + 1));
    if (!parsedName) continue;
    candidates.push({ key, takenAt: await sidecarTime(storage, key, signal).catch(() => parsedName.takenAt) });
  }

  const decision = applyRetention(candidates, policy, new Set([justMade]));
  const outcome: RetentionOutcome = { kept: decision.keep.map((b) => b.key), removed: [], failed: [] };
  for (const backup of decision.remove) {
    try {
      await storage.delete(backup.key, { signal });
      await storage.delete(sidecarKeyFor(backup.key), { signal });
      outcome.removed.push(backup.key);
      log('info', `Retention removed ${backup.key} (taken ${backup.takenAt.toISOString()}).`);
    } catch (error) {
      const message = isDBackupError(error) ? error.message : String(error);
      outcome.failed.push({ key: backup.key, message });
      log('warn', `Retention could not remove ${backup.key}: ${message}`);
    }
  }
  return outcome;
}

async function sidecarTime(storage: Destination, key: string, signal?: AbortSignal): Promise<Date> {
  const sidecarKey = sidecarKeyFor(key);
  const sidecar = parseSidecar(await storage.readText(sidecarKey, { signal }), sidecarKey);
  const at = new Date(sidecar.startedAt);
  if (Number.isNaN(at.getTime())) throw new Error('bad startedAt');
  return at;
}
