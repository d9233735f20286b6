import { describe, expect, it } from 'vitest';
import { createCronerSchedule } from './croner.schedule.ts';

const schedule = createCronerSchedule();

describe('cron schedule', () => {
  it('lists fire times in a window, in the job time zone', () => {
    const fires = schedule.between('0 2 * * *', 'Europe/Berlin', new Date('2024-01-15T00:00:00Z'), new Date('2024-01-17T12:00:00Z'));
    expect(fires.map((d) => d.toISOString())).toEqual(['2024-01-15T01:00:00.000Z', '2024-01-16T01:00:00.000Z', '2024-01-17T01:00:00.000Z']);
  });

  it('excludes the start of the window and includes its end', () => {
    const at = new Date('2024-01-15T01:00:00Z');
    expect(schedule.between('0 * * * *', 'UTC', at, new Date('2024-01-15T02:00:00Z'))).toEqual([new Date('2024-01-15T02:00:00Z')]);
  });

  it('understands presets', () => {
    expect(schedule.next('hourly', 'UTC', new Date('2024-01-15T00:30:00Z'), 2)).toEqual([new Date('2024-01-15T01:00:00Z'), new Date('2024-01-15T02:00:00Z')]);
  });

  it('explains bad expressions and zones', () => {
    expect(() => schedule.validate('61 * * * *', 'UTC')).toThrow(/not a valid cron expression/);
    expect(() => schedule.validate('0 * * * *', 'Moon/Base')).toThrow(/Unknown time zone/);
  });
});
