import { setTimeout as sleep } from 'node:timers/promises';
import { DBackupError, asErrorCode } from '../../core/errors.ts';
import { parseCommandArgs, usageError, type CliCommand } from './command.ts';
import { pick, withRuntime } from './cli-runtime.ts';
import { createProgressReporter } from './progress-bar.ts';

export const backupCommand: CliCommand = {
  name: 'backup',
  summary: 'Run a backup job now and wait for it, with progress',
  help: `Usage: dbackup backup <job> [--quiet]

Runs the job (by name or id) now, shows progress, and exits when it is done: 0 when every
destination has the backup, otherwise the status of the failure (see below). A backup that
reached some destinations but not all ("partial") exits with the failing destination's status.
Ctrl-C cancels the run; nothing half-made is kept.

Options:
  -q, --quiet   No progress output.`,

  async run(args, context) {
    const { values, positionals } = parseCommandArgs('backup', args, { quiet: { type: 'boolean', short: 'q' } } as const);
    if (positionals.length !== 1) throw usageError('Name the job to run: dbackup backup <job>.');
    await withRuntime(context, async ({ store, engine }) => {
      const job = pick(await store.jobs.list(), positionals[0]!, 'job');
      const run = await engine.runner.enqueue(job.id, 'manual');
      const progress = createProgressReporter(context.stderr);
      const onAbort = () => void engine.runner.cancel(run.id);
      context.signal.addEventListener('abort', onAbort, { once: true });
      const finished = engine.runner.idle();
      let done = false;
      void finished.then(() => { done = true; });
      while (!done) {
        await Promise.race([finished, sleep(500)]);
        const current = await store.runs.get(run.id);
        if (current && !values.quiet && current.status === 'running') progress.update(current.stage ?? 'running', current.bytes, current.rate, current.etaSeconds);
      }
      progress.done();
      context.signal.removeEventListener('abort', onAbort);
      const result = (await store.runs.get(run.id))!;
      if (result.status === 'success') {
        context.stdout.write(`Backup ${result.backupKey} stored on ${result.destinationResults.length} destination(s).\n`);
        return;
      }
      const lines = result.destinationResults.filter((r) => r.status === 'failed').map((r) => `  ${r.destinationId}: ${r.errorMessage ?? 'failed'}`);
      throw new DBackupError(asErrorCode(result.errorCode), `Run ${result.status}: ${result.errorMessage ?? 'see the run log'}${lines.length ? `\n${lines.join('\n')}` : ''}`);
    });
  },
};
