import type { Clock } from '../../ports/clock.port.ts';
import type { Repositories, Run } from '../../ports/metadata-store.port.ts';
import type { ScheduleCalculator } from '../../ports/schedule.port.ts';
import { isDBackupError } from '../errors.ts';
import type { JobRunner } from './job-runner.ts';

/** Settings key holding the last moment the scheduler looked at the clock. */
export const SCHEDULER_HEARTBEAT_KEY = 'dbackup.scheduler.heartbeat';

export interface SchedulerOptions {
  store: Pick<Repositories, 'jobs' | 'runs' | 'settings'>;
  runner: Pick<JobRunner, 'enqueue'>;
  schedule: ScheduleCalculator;
  clock: Clock;
  log: (level: 'info' | 'warn', message: string) => void;
  /** How often to look for due jobs. Default 15 s. */
  tickSeconds?: number;
}

export interface Scheduler {
  /** Reports schedules missed while DBackup was down, then starts ticking. */
  start(): Promise<Run[]>;
  /** Queues every job whose schedule fired since the last tick. Exposed for tests. */
  tick(): Promise<void>;
  stop(): void;
}

/**
 * Fires scheduled jobs. It keeps a heartbeat in the settings so that, after downtime, each job
 * whose schedule fired while the process was down gets a run record saying so (status
 * `interrupted`) instead of the miss going unnoticed. Missed runs are not replayed: a backup of
 * now is worth more than several late ones, and the next scheduled run comes as usual.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { store, clock, schedule } = options;
  let lastTick: Date | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();

  async function scheduledJobs() {
    return (await store.jobs.list()).filter((job) => job.enabled && job.schedule);
  }

  async function reportMissed(since: Date, until: Date): Promise<Run[]> {
    const reports: Run[] = [];
    for (const job of await scheduledJobs()) {
      const missed = schedule.between(job.schedule!.cron, job.schedule!.timezone, since, until);
      if (missed.length === 0) continue;
      const run = await store.runs.create({ jobId: job.id, trigger: 'schedule' });
      const message = `Missed ${missed.length} scheduled run${missed.length === 1 ? '' : 's'} (${missed[0]!.toISOString()}${missed.length > 1 ? ` to ${missed.at(-1)!.toISOString()}` : ''}) while DBackup was not running. Use "Run now" for a backup before the next scheduled one.`;
      await store.runs.appendLog(run.id, 'warn', message);
      reports.push(await store.runs.update(run.id, { status: 'interrupted', endedAt: until, errorCode: 'unavailable', errorMessage: message }));
      options.log('warn', `Job "${job.name}": ${message}`);
    }
    return reports;
  }

  async function tickOnce(): Promise<void> {
    const now = clock.now();
    const since = lastTick ?? now;
    lastTick = now;
    for (const job of await scheduledJobs()) {
      try {
        if (schedule.between(job.schedule!.cron, job.schedule!.timezone, since, now, 1).length === 0) continue;
        await options.runner.enqueue(job.id, 'schedule');
      } catch (error) {
        const reason = isDBackupError(error) ? error.message : String(error);
        options.log('warn', `Job "${job.name}" was due but not started: ${reason}`);
      }
    }
    await store.settings.set(SCHEDULER_HEARTBEAT_KEY, now.toISOString());
  }

  return {
    async start() {
      const now = clock.now();
      const heartbeat = await store.settings.get(SCHEDULER_HEARTBEAT_KEY);
      const missed = heartbeat ? await reportMissed(new Date(heartbeat), now) : [];
      lastTick = now;
      await store.settings.set(SCHEDULER_HEARTBEAT_KEY, now.toISOString());
      timer = setInterval(() => { ticking = ticking.then(tickOnce, tickOnce).catch(() => undefined); }, (options.tickSeconds ?? 15) * 1000);
      timer.unref();
      return missed;
    },
    tick() {
      ticking = ticking.then(tickOnce, tickOnce);
      return ticking;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
