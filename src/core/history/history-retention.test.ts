import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetadataStore } from '../../ports/metadata-store.port.ts';
import { createHistoryRetention } from './history-retention.ts';

const DAY = 86_400_000;

/** Records the cutoffs the store was asked to prune with, answering with fixed counts. */
function recordingStore(counts: { runs: number; restores: number }, failure?: Error) {
  const cutoffs: { runs: Date[]; restores: Date[] } = { runs: [], restores: [] };
  const store = {
    runs: {
      pruneFinished: async (endedBefore: Date) => {
        if (failure) throw failure;
        cutoffs.runs.push(endedBefore);
        return counts.runs;
      },
    },
    restores: {
      pruneFinished: async (endedBefore: Date) => {
        cutoffs.restores.push(endedBefore);
        return counts.restores;
      },
    },
  } as unknown as Pick<MetadataStore, 'runs' | 'restores'>;
  return { store, cutoffs };
}

describe('history retention', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prunes runs and restores that ended more than keepDays ago, and says what it removed', async () => {
    const { store, cutoffs } = recordingStore({ runs: 3, restores: 1 });
    const logs: string[] = [];
    const now = new Date('2026-03-01T00:00:00.000Z');
    const retention = createHistoryRetention({ store, clock: { now: () => now }, keepDays: 30, log: (_level, message) => logs.push(message) });
    const pruned = await retention.pruneNow();
    const cutoff = new Date(now.getTime() - 30 * DAY);
    expect(pruned).toEqual({ runs: 3, restores: 1, endedBefore: cutoff });
    expect(cutoffs).toEqual({ runs: [cutoff], restores: [cutoff] });
    expect(logs).toEqual([`History retention: removed 3 runs and 1 restore that ended before 2026-01-30T00:00:00.000Z (kept for 30 days; DBACKUP_HISTORY_DAYS).`]);
  });

  it('logs nothing when nothing was old enough', async () => {
    const logs: string[] = [];
    const retention = createHistoryRetention({ store: recordingStore({ runs: 0, restores: 0 }).store, clock: { now: () => new Date() }, keepDays: 7, log: (_l, m) => logs.push(m) });
    expect(await retention.pruneNow()).toMatchObject({ runs: 0, restores: 0 });
    expect(logs).toEqual([]);
  });

  it('keeps everything when keepDays is 0: no prune, no timer', async () => {
    const { store, cutoffs } = recordingStore({ runs: 1, restores: 1 });
    vi.useFakeTimers();
    const retention = createHistoryRetention({ store, clock: { now: () => new Date() }, keepDays: 0, log: () => undefined });
    expect(await retention.pruneNow()).toBeUndefined();
    retention.start();
    await vi.advanceTimersByTimeAsync(3 * DAY);
    await retention.stop();
    expect(cutoffs).toEqual({ runs: [], restores: [] });
  });

  it('prunes at start and then once per interval until stopped', async () => {
    const { store, cutoffs } = recordingStore({ runs: 0, restores: 0 });
    vi.useFakeTimers();
    const retention = createHistoryRetention({ store, clock: { now: () => new Date() }, keepDays: 90, log: () => undefined });
    retention.start();
    retention.start(); // idempotent: still one schedule
    await vi.advanceTimersByTimeAsync(0);
    expect(cutoffs.runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2 * DAY);
    expect(cutoffs.runs).toHaveLength(3);
    await retention.stop();
    await vi.advanceTimersByTimeAsync(2 * DAY);
    expect(cutoffs.runs).toHaveLength(3);
  });

  it('a failing prune is logged as a warning and retried at the next interval, never thrown', async () => {
    const { store } = recordingStore({ runs: 0, restores: 0 }, new Error('database is locked'));
    const warnings: string[] = [];
    vi.useFakeTimers();
    const retention = createHistoryRetention({ store, clock: { now: () => new Date() }, keepDays: 30, log: (level, m) => level === 'warn' && warnings.push(m), intervalMs: 1000 });
    retention.start();
    await vi.advanceTimersByTimeAsync(1000);
    await retention.stop();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('History retention could not prune old runs and restores (database is locked); it tries again in a day. Nothing was lost.');
  });
});
