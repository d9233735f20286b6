import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { withRuntime } from './cli-runtime.ts';
import { formatTable } from './table.ts';

export const jobsCommand: CliCommand = {
  name: 'jobs',
  summary: 'List backup jobs with their schedule, last result and next run',
  help: `Usage: dbackup jobs list [--json]

Lists the backup jobs of this DBackup (DBACKUP_DATA_DIR).

Options:
  --json   Print JSON instead of a table.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('jobs', args, { json: { type: 'boolean' } } as const);
    if (positionals[0] !== 'list' || positionals.length > 1) throw usageError("Use 'dbackup jobs list'.");
    await withRuntime(context, async ({ store, engine }) => {
      const latest = new Map((await store.runs.latestPerJob()).map((run) => [run.jobId, run]));
      const now = new Date();
      const jobs = (await store.jobs.list()).map((job) => ({
        id: job.id,
        name: job.name,
        folder: job.folderName,
        enabled: job.enabled,
        schedule: job.schedule ? `${job.schedule.cron} (${job.schedule.timezone})` : 'manual',
        lastRun: latest.get(job.id)?.status ?? 'never',
        lastRunAt: latest.get(job.id)?.queuedAt.toISOString(),
        nextRun: job.enabled && job.schedule ? engine.schedule.next(job.schedule.cron, job.schedule.timezone, now, 1)[0]?.toISOString() : undefined,
      }));
      if (values.json) {
        context.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
        return;
      }
      if (jobs.length === 0) {
        context.stdout.write('No jobs yet. Create one in the web UI (Jobs page).\n');
        return;
      }
      context.stdout.write(formatTable(
        ['NAME', 'FOLDER', 'SCHEDULE', 'LAST RUN', 'NEXT RUN', 'ID'],
        jobs.map((j) => [j.name + (j.enabled ? '' : ' (disabled)'), j.folder, j.schedule, j.lastRun, j.nextRun ?? '-', j.id]),
      ));
    });
  },
};
