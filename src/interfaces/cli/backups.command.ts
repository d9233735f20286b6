import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { pick, withRuntime } from './cli-runtime.ts';
import { formatBytes, formatTable } from './table.ts';

export const backupsCommand: CliCommand = {
  name: 'backups',
  summary: 'List stored backups (from the backup index)',
  help: `Usage: dbackup backups list [--job <job>] [--destination <destination>] [--limit N] [--json]

Lists backups DBackup has recorded, newest first, with the destination, size and when they were
last verified. Use 'dbackup verify' to check one against its destination.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('backups', args, {
      job: { type: 'string' }, destination: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
    } as const);
    if (positionals[0] !== 'list' || positionals.length > 1) throw usageError("Use 'dbackup backups list'.");
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw usageError('--limit takes a whole number of 1 or more.');
    await withRuntime(context, async ({ store }) => {
      const jobs = await store.jobs.list();
      const destinations = await store.destinations.list();
      const jobId = values.job ? pick(jobs, values.job, 'job').id : undefined;
      const destinationId = values.destination ? pick(destinations, values.destination, 'destination').id : undefined;
      const backups = await store.backups.list({ jobId, destinationId, limit });
      const nameOf = (list: Array<{ id: string; name: string }>, id: string | undefined) => list.find((x) => x.id === id)?.name ?? '-';
      if (values.json) {
        context.stdout.write(`${JSON.stringify(backups.map((b) => ({ ...b, meta: undefined, destination: nameOf(destinations, b.destinationId), job: nameOf(jobs, b.jobId) })), null, 2)}\n`);
        return;
      }
      if (backups.length === 0) {
        context.stdout.write('No backups recorded yet.\n');
        return;
      }
      context.stdout.write(formatTable(
        ['TAKEN', 'JOB', 'DESTINATION', 'SIZE', 'VERIFIED', 'KEY'],
        backups.map((b) => [b.createdAt.toISOString(), nameOf(jobs, b.jobId), nameOf(destinations, b.destinationId), formatBytes(b.size), b.verifiedAt?.toISOString() ?? 'no', b.key]),
      ));
    });
  },
};
