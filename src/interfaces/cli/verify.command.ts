import { verifyBackup } from '../../core/backup/verify-backup.ts';
import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { pick, withRuntime } from './cli-runtime.ts';

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Check a stored backup against its sidecar by content hash',
  help: `Usage: dbackup verify <destination> <key>

Compares the stored file's Dropbox content hash and size with its .meta.json sidecar. On Dropbox
this needs no download; on local disk the file is read. <key> is the path below the destination's
folder, e.g. nightly/backup_2024-01-16T12-00-00.sql.gz.enc (see 'dbackup backups list').
Exit status 3 when the backup does not match.`,

  async run(args, context) {
    const { positionals } = parseCommandArgs('verify', args, {});
    if (positionals.length !== 2) throw usageError('Name the destination and the backup key: dbackup verify <destination> <key>.');
    await withRuntime(context, async ({ store, engine }) => {
      const destination = pick(await store.destinations.list(), positionals[0]!, 'destination');
      const result = await verifyBackup(engine.openDestination(destination), positionals[1]!, context.signal);
      const indexed = await store.backups.findByKey(destination.id, result.key);
      if (indexed) await store.backups.markVerified(indexed.id);
      context.stdout.write(`OK ${result.key}: ${result.size} bytes, content hash ${result.contentHash} (${result.method === 'metadata' ? 'checked by the destination, no download' : 'downloaded and hashed'}).\n`);
    });
  },
};
