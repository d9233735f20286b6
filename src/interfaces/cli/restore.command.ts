import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { sqliteDatabaseName } from '../../engine.ts';
import { pick, withRuntime } from './cli-runtime.ts';
import { createProgressReporter } from './progress-bar.ts';

export const restoreCommand: CliCommand = {
  name: 'restore',
  summary: 'Restore a stored backup into a database',
  help: `Usage: dbackup restore <destination> <key> --source <source> [--database <name>] [--create] [--replace] [--no-owner]

Downloads the backup, checks it against its sidecar (SHA-256) and the encryption key, and only
then loads it into the database. A corrupted file or a missing key stops before the target is
touched.

Options:
  --source <source>    Source (server or SQLite file) to restore into, by name or id. Required.
  --database <name>    Target database. Default: the database the backup was taken from.
  --create             Create the target database when it does not exist.
  --replace            Replace a target database that already holds objects.
  --no-owner           PostgreSQL: leave out the backup's ownership and privileges, so every object
                       belongs to the restoring user (for a server without the original roles).`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('restore', args, {
      source: { type: 'string' }, database: { type: 'string' }, create: { type: 'boolean' }, replace: { type: 'boolean' }, 'no-owner': { type: 'boolean' },
    } as const);
    if (positionals.length !== 2) throw usageError('Name the destination and the backup key: dbackup restore <destination> <key> --source <source>.');
    if (!values.source) throw usageError('Say where to restore to with --source <source>.');
    await withRuntime(context, async ({ store, engine }) => {
      const destination = pick(await store.destinations.list(), positionals[0]!, 'destination');
      const source = pick(await store.sources.list(), values.source!, 'source');
      const key = positionals[1]!;
      const indexed = await store.backups.findByKey(destination.id, key);
      const recorded = (indexed?.meta.sidecar as { database?: string } | undefined)?.database;
      const database = values.database ?? (source.type === 'sqlite' ? sqliteDatabaseName(source) : recorded);
      if (!database) throw usageError('Name the target database with --database <name> (the backup index does not know the original name).');
      const progress = createProgressReporter(context.stderr);
      await engine.restore(
        { storage: engine.openDestination(destination), key, target: engine.openSource(source), database, options: { createDatabase: values.create, dropExisting: values.replace, skipOwnership: values['no-owner'] }, signal: context.signal },
        ({ stage, bytes }) => progress.update(stage, bytes),
      );
      progress.done();
      context.stdout.write(`Restored ${key} into ${database} on ${source.name}.\n`);
    });
  },
};
