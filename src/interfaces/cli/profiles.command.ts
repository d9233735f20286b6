import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DBackupError } from '../../core/errors.ts';
import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { pick, withRuntime } from './cli-runtime.ts';

export const profilesCommand: CliCommand = {
  name: 'profiles',
  summary: 'Export the key of an encryption profile',
  help: `Usage: dbackup profiles export <profile> [--out <file>|-] [--force]

Writes the profile's key file (readable only by you, mode 0600). With it, 'dbackup decrypt' can
decrypt the profile's backups with nothing else. Anyone holding it can read those backups: keep it
safe and apart from the backups.

Options:
  -o, --out <file>  Where to write it; '-' prints it. Default: the suggested name in the current folder.
  -f, --force       Overwrite an existing file.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('profiles', args, { out: { type: 'string', short: 'o' }, force: { type: 'boolean', short: 'f' } } as const);
    if (positionals[0] !== 'export' || positionals.length !== 2) throw usageError("Use 'dbackup profiles export <profile>'.");
    await withRuntime(context, async ({ engine }) => {
      const profile = pick(await engine.profiles.list(), positionals[1]!, 'encryption profile');
      const exported = await engine.profiles.exportKey(profile.id);
      context.stderr.write(`Warning: ${exported.warning}\n`);
      if (values.out === '-') {
        context.stdout.write(exported.contents);
        return;
      }
      const path = resolve(context.cwd, values.out ?? exported.fileName);
      try {
        await writeFile(path, exported.contents, { mode: 0o600, flag: values.force ? 'w' : 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DBackupError('conflict', `${path} already exists. Choose another --out or add --force.`);
        throw error;
      }
      context.stdout.write(`Key of "${profile.name}" (fingerprint ${profile.fingerprint}) written to ${path}.\n`);
    });
  },
};
