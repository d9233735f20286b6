import { isDBackupError } from '../../core/errors.ts';
import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { pick, withRuntime } from './cli-runtime.ts';
import { createProgressReporter } from './progress-bar.ts';

/** The options that carry each field of the restore request, for field errors of the core. */
const FIELD_OPTIONS: Readonly<Record<string, string>> = { database: '--database', sourceId: '--source' };

export const restoreCommand: CliCommand = {
  name: 'restore',
  summary: 'Restore a stored backup into a database',
  help: `Usage: dbackup restore <destination> <key> --source <source> [--database <name>] [--create] [--replace] [--no-owner]

Downloads the backup, checks it against its sidecar (SHA-256) and the encryption key, and only
then loads it into the database. A corrupted file or a missing key stops before the target is
touched. The restore is recorded in the restore history ('dbackup restores list', the web UI's
Restores page) like one started there.

Options:
  --source <source>    Source (server or SQLite file) to restore into, by name or id. Required.
  --database <name>    Target database. Default: the database the backup was taken from.
  --create             Create the target database when it does not exist.
  --replace            Replace a target database that already holds objects.
  --no-owner           For a server without the backup's accounts. PostgreSQL: leave out ownership
                       and privileges, so every object belongs to the restoring user. MySQL/MariaDB:
                       leave out the DEFINER clauses, so the restoring user defines views, routines,
                       triggers and events.`,

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
      const progress = createProgressReporter(context.stderr);
      try {
        const restore = await engine.restores.run(
          { destinationId: destination.id, key, sourceId: source.id, database: values.database, createDatabase: values.create, dropExisting: values.replace, skipOwnership: values['no-owner'] },
          {
            signal: context.signal,
            onProgress: ({ stage, bytes }) => progress.update(stage, bytes),
            onLog: (level, message) => { if (level === 'warn') context.stderr.write(`${message}\n`); },
          },
        );
        progress.done();
        context.stdout.write(`Restored ${key} into ${restore.database} on ${source.name}.\n`);
      } catch (error) {
        progress.done();
        throw asUsageError(error);
      }
    });
  },
};

/** A field error of the restore request, said in terms of this command's options. */
function asUsageError(error: unknown): unknown {
  const fields = isDBackupError(error, 'invalid_input') ? (error.details.fields as Record<string, string> | undefined) : undefined;
  if (fields === undefined) return error;
  return usageError(Object.entries(fields).map(([field, message]) => `${FIELD_OPTIONS[field] ?? field}: ${message}`).join(' '));
}
