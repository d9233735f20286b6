import { Cron } from 'croner';
import { DBackupError } from '../../core/errors.ts';
import type { ScheduleCalculator } from '../../ports/schedule.port.ts';

/** Presets offered in the UI; any 5- or 6-field cron expression works too. */
export const SCHEDULE_PRESETS: Readonly<Record<string, string>> = {
  hourly: '0 * * * *',
  daily: '0 2 * * *',
  weekly: '0 3 * * 0',
  monthly: '0 4 1 * *',
};

function cronOf(cron: string, timeZone: string): Cron {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch (cause) {
    throw new DBackupError('invalid_input', `Unknown time zone "${timeZone}". Use an IANA name such as Europe/Berlin or UTC.`, { cause });
  }
  try {
    return new Cron(SCHEDULE_PRESETS[cron] ?? cron, { timezone: timeZone, paused: true });
  } catch (cause) {
    throw new DBackupError('invalid_input', `"${cron}" is not a valid cron expression (${(cause as Error).message}). Example: "0 2 * * *" runs daily at 02:00.`, { cause });
  }
}

export function createCronerSchedule(): ScheduleCalculator {
  return {
    validate(cron, timeZone) {
      cronOf(cron, timeZone).stop();
    },
    between(cron, timeZone, after, until, limit = 1000) {
      const schedule = cronOf(cron, timeZone);
      const fires: Date[] = [];
      let cursor: Date | null = after;
      while (fires.length < limit) {
        cursor = schedule.nextRun(cursor);
        if (!cursor || cursor.getTime() > until.getTime()) break;
        fires.push(cursor);
      }
      schedule.stop();
      return fires;
    },
    next(cron, timeZone, from, count) {
      const schedule = cronOf(cron, timeZone);
      const fires = schedule.nextRuns(count, from);
      schedule.stop();
      return fires;
    },
  };
}
