import { readFileSync } from 'node:fs';
import type { CliCommand, CliContext } from './command.ts';
import { COMMANDS } from './commands.ts';
import { EXIT_CODES, EXIT_CODE_DESCRIPTIONS, asDBackupError, exitCodeFor } from './exit-codes.ts';

/**
 * Runs the `dbackup` command line and resolves to the exit status; never calls process.exit, so
 * tests can run it in-process with their own streams. bin/dbackup.mjs is the process wrapper.
 */
export async function runCli(argv: readonly string[], overrides: Partial<CliContext> = {}): Promise<number> {
  const context: CliContext = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    signal: new AbortController().signal,
    ...overrides,
  };
  const [first, ...rest] = argv;

  if (first === undefined) {
    context.stderr.write(globalHelp());
    return EXIT_CODES.usage;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    context.stdout.write(globalHelp());
    return EXIT_CODES.ok;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    context.stdout.write(`dbackup ${packageVersion()}\n`);
    return EXIT_CODES.ok;
  }

  const name = first === 'help' ? (rest[0] ?? '') : first;
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    const what = name.startsWith('-') ? `Unknown option '${name}'` : `Unknown command '${name}'`;
    context.stderr.write(`dbackup: ${what}. Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run 'dbackup --help' for usage.\n`);
    return EXIT_CODES.usage;
  }
  if (first === 'help' || wantsHelp(rest)) {
    context.stdout.write(commandHelp(command));
    return EXIT_CODES.ok;
  }

  try {
    await command.run(rest, context);
    return EXIT_CODES.ok;
  } catch (error) {
    report(command, error, context);
    return exitCodeFor(error);
  }
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function report(command: CliCommand, error: unknown, context: CliContext): void {
  const failure = asDBackupError(error);
  let text = `dbackup ${command.name}: ${failure.message}\n`;
  if (failure.details.usage === true) text += `Run 'dbackup ${command.name} --help' for usage.\n`;
  if (context.env.DBACKUP_DEBUG) {
    for (let current: unknown = failure; current instanceof Error; current = current.cause) text += `${current.stack ?? current.message}\n`;
  }
  context.stderr.write(text);
}

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: dbackup <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     Show this help; `dbackup <command> --help` shows a command\'s options',
    '  -V, --version  Show the version',
    '',
    exitStatusHelp(),
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  return `${command.help.trimEnd()}\n\n${exitStatusHelp()}`;
}

function exitStatusHelp(): string {
  return ['Exit status:', ...EXIT_CODE_DESCRIPTIONS.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`), ''].join('\n');
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}
