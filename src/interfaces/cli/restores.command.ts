import { RESTORE_STATUSES } from '../../ports/metadata-store.port.ts';
import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { withRuntime } from './cli-runtime.ts';
import { formatTable } from './table.ts';

export const restoresCommand: CliCommand = {
  name: 'restores',
  summary: 'List recorded restores (the restore history)',
  help: `Usage: dbackup restores list [--status <status>] [--limit N] [--json]

Lists the restores DBackup recorded (started in the web UI, through the API or with
'dbackup restore'), newest first: when, outcome, the backup and the target database. A restore
that was interrupted (DBackup stopped while it ran) is explained on standard error: its target
database may be incomplete.

Options:
  --status <status>   Only restores with this status: ${RESTORE_STATUSES.join(', ')}.
  --limit N           At most N restores (default 50, at most 500).
  --json              Print JSON instead of a table.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('restores', args, { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } } as const);
    if (positionals[0] !== 'list' || positionals.length > 1) throw usageError("Use 'dbackup restores list'.");
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usageError('--limit takes a whole number from 1 to 500.');
    await withRuntime(context, async ({ engine }) => {
      const restores = await engine.restores.list({ status: values.status, limit });
      if (values.json) {
        context.stdout.write(`${JSON.stringify(restores, null, 2)}\n`);
        return;
      }
      if (restores.length === 0) {
        context.stdout.write('No restores recorded yet.\n');
        return;
      }
      context.stdout.write(formatTable(
        ['STARTED', 'STATUS', 'TARGET', 'SOURCE', 'DESTINATION', 'KEY'],
        restores.map((r) => [r.startedAt.toISOString(), r.status, r.database, r.sourceName, r.destinationName, r.key]),
      ));
      for (const restore of restores.filter((r) => r.status === 'interrupted')) context.stderr.write(`Warning: ${restore.error?.message ?? `restore ${restore.id} was interrupted.`}\n`);
    });
  },
};
