import { DBackupError } from '../../core/errors.ts';
import type { InputGuard } from './process-runner.ts';

const KEPT_TAIL_BYTES = 4096;

/**
 * Refuses restore input that does not end with the dump tool's completion marker (pg_dump and
 * mysqldump write one as their last comment). A backup cut short by a failed upload or a missing
 * part would otherwise restore "successfully" with some of its tables missing.
 */
export function trailerGuard(marker: string, producedBy: string): InputGuard {
  let tail = Buffer.alloc(0);
  return {
    observe(chunk) {
      tail = Buffer.concat([tail, chunk.subarray(-KEPT_TAIL_BYTES)]).subarray(-KEPT_TAIL_BYTES);
    },
    finish() {
      if (!tail.toString('utf8').includes(marker)) {
        throw truncatedDumpError(producedBy);
      }
    },
  };
}

export function truncatedDumpError(producedBy: string): DBackupError {
  return new DBackupError(
    'integrity',
    `The backup ends before ${producedBy}'s completion marker: it is truncated, or it was not written by ${producedBy}. Restore a different backup.`,
    { retryable: false, details: { reason: 'truncated_dump' } },
  );
}
