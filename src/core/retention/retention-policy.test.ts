import { describe, expect, it } from 'vitest';
import { applyRetention } from './retention-policy.ts';

function backupsAt(...isoTimes: string[]) {
  return isoTimes.map((iso) => ({ key: `job/backup_${iso}.sql`, takenAt: new Date(iso) }));
}
const keysOf = (list: Array<{ key: string }>) => list.map((b) => b.key);

describe('retention policy', () => {
  const hourly = backupsAt(
    '2024-01-15T10:00:00Z', '2024-01-15T11:00:00Z', '2024-01-15T12:00:00Z',
    '2024-01-16T10:00:00Z', '2024-01-16T12:00:00Z', '2024-01-17T09:00:00Z',
  );

  it('keeps everything when no rule is set', () => {
    expect(applyRetention(hourly, {}).remove).toEqual([]);
  });

  it('keeps the newest N with keepLast', () => {
    const decision = applyRetention(hourly, { keepLast: 2 });
    expect(keysOf(decision.keep)).toEqual(['job/backup_2024-01-17T09:00:00Z.sql', 'job/backup_2024-01-16T12:00:00Z.sql']);
    expect(decision.remove).toHaveLength(4);
  });

  it('keeps the newest backup of each recent day with daily', () => {
    const decision = applyRetention(hourly, { daily: 2 });
    expect(keysOf(decision.keep)).toEqual(['job/backup_2024-01-17T09:00:00Z.sql', 'job/backup_2024-01-16T12:00:00Z.sql']);
  });

  it('follows the calendar of the given time zone', () => {
    // 23:30 UTC on the 15th is already the 16th in Berlin, so it shares a day with the 16th's backup.
    const list = backupsAt('2024-01-15T23:30:00Z', '2024-01-16T08:00:00Z', '2024-01-15T10:00:00Z');
    expect(keysOf(applyRetention(list, { daily: 2, timeZone: 'Europe/Berlin' }).keep))
      .toEqual(['job/backup_2024-01-16T08:00:00Z.sql', 'job/backup_2024-01-15T10:00:00Z.sql']);
    expect(keysOf(applyRetention(list, { daily: 2 }).keep))
      .toEqual(['job/backup_2024-01-16T08:00:00Z.sql', 'job/backup_2024-01-15T23:30:00Z.sql']);
  });

  it('combines weekly, monthly and yearly buckets', () => {
    const list = backupsAt('2023-12-31T12:00:00Z', '2024-01-01T12:00:00Z', '2024-01-08T12:00:00Z', '2024-02-01T12:00:00Z');
    // 2023-12-31 (Sunday) is ISO week 2023-W52; 2024-01-01 starts 2024-W01.
    expect(keysOf(applyRetention(list, { weekly: 3 }).keep)).toEqual([
      'job/backup_2024-02-01T12:00:00Z.sql', 'job/backup_2024-01-08T12:00:00Z.sql', 'job/backup_2024-01-01T12:00:00Z.sql',
    ]);
    expect(keysOf(applyRetention(list, { yearly: 2 }).keep)).toEqual(['job/backup_2024-02-01T12:00:00Z.sql', 'job/backup_2023-12-31T12:00:00Z.sql']);
    expect(keysOf(applyRetention(list, { monthly: 1, yearly: 1 }).keep)).toEqual(['job/backup_2024-02-01T12:00:00Z.sql']);
  });

  it('never removes a protected backup, even one a clock skew made look old', () => {
    const decision = applyRetention(hourly, { keepLast: 1 }, new Set(['job/backup_2024-01-15T10:00:00Z.sql']));
    expect(keysOf(decision.keep)).toContain('job/backup_2024-01-15T10:00:00Z.sql');
    expect(decision.keep).toHaveLength(2);
  });

  it('rejects nonsense counts and zones with a message', () => {
    expect(() => applyRetention(hourly, { keepLast: -1 })).toThrow(/whole number/);
    expect(() => applyRetention(hourly, { daily: 1, timeZone: 'Mars/Olympus' })).toThrow(/Unknown time zone/);
  });
});
