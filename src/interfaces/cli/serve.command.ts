import { parseCommandArgs, type CliCommand } from './command.ts';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Start the DBackup server (web UI, REST API, scheduler)',
  help: `Usage: dbackup serve

Starts DBackup like 'npm start': the web UI and REST API on PORT (default 3000), the scheduler,
and the metadata store in DBACKUP_DATA_DIR (default ./data). Settings come from the environment:
PORT, PUBLIC_URL, DBACKUP_DATA_DIR, ENCRYPTION_KEY, DBACKUP_DROPBOX_API_URL. Stop with Ctrl-C.`,

  async run(args) {
    parseCommandArgs('serve', args, {});
    // main.ts starts the server when loaded and ends the process itself on SIGINT/SIGTERM.
    await import('../../main.ts');
  },
};
