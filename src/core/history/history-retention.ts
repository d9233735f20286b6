/**
 * History retention: run and restore records (with their logs) are kept for `keepDays` after
 * they ended, then deleted, so the metadata store of a long-lived installation stops growing
 * with every scheduled run. Each job's most recent run always stays (the dashboard shows it), as
 * does anything still queued or running. Backups themselves are never touched here: their
 * lifetime is the job's retention policy.
 *
 * The server prunes at start and once a day; `keepDays` 0 keeps everything.
 */
import type { Clock } from '../../ports/clock.port.ts';
import type { MetadataStore } from '../../ports/metadata-store.port.ts';

export const DEFAULT_HISTORY_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface HistoryPruned {
  runs: number;
  restores: number;
  /** Records that ended before this were deleted. */
  endedBefore: Date;
}

export interface HistoryRetention {
  /** Deletes what is past the retention now; `undefined` when history is kept forever. */
  pruneNow(): Promise<HistoryPruned | undefined>;
  /** Prunes now and then daily, logging failures instead of throwing. Idempotent. */
  start(): void;
  /** Stops the daily prune; resolves once a prune in progress has finished. */
  stop(): Promise<void>;
}

export interface HistoryRetentionOptions {
  store: Pick<MetadataStore, 'runs' | 'restores'>;
  clock: Clock;
  /** Days a finished run or restore stays listed; 0 = forever. */
  keepDays: number;
  log: (level: 'info' | 'warn', message: string) => void;
  /** Between two prunes (default one day). */
  intervalMs?: number;
}

export function createHistoryRetention(options: HistoryRetentionOptions): HistoryRetention {
  const { store, clock, keepDays, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let pruning: Promise<void> = Promise.resolve();

  async function pruneNow(): Promise<HistoryPruned | undefined> {
    if (keepDays === 0) return undefined;
    const endedBefore = new Date(clock.now().getTime() - keepDays * DAY_MS);
    const runs = await store.runs.pruneFinished(endedBefore);
    const restores = await store.restores.pruneFinished(endedBefore);
    if (runs + restores > 0) {
      log('info', `History retention: removed ${plural(runs, 'run')} and ${plural(restores, 'restore')} that ended before ${endedBefore.toISOString()} (kept for ${keepDays} days; DBACKUP_HISTORY_DAYS).`);
    }
    return { runs, restores, endedBefore };
  }

  function pruneInBackground(): void {
    // One prune at a time: a slow database must not pile them up.
    pruning = pruning.then(pruneNow).then(() => undefined, (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      log('warn', `History retention could not prune old runs and restores (${reason}); it tries again in a day. Nothing was lost.`);
    });
  }

  return {
    pruneNow,
    start() {
      if (keepDays === 0 || timer !== undefined) return;
      pruneInBackground();
      timer = setInterval(pruneInBackground, options.intervalMs ?? DAY_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await pruning;
    },
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
