import type { Readable, Writable } from 'node:stream';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { DBackupError } from '../../core/errors.ts';

/** What a command gets from the outside world; tests pass their own streams and directory. */
export interface CliContext {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Relative paths on the command line are resolved against this. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Fires on Ctrl-C; long operations pass it on so they stop and clean up. */
  signal: AbortSignal;
}

/**
 * One CLI command. Adding a command = a `<name>.command.ts` file exporting one of these, plus one
 * line in `commands.ts`. `run` throws DBackupError on failure; the dispatcher prints the message
 * and maps the error code to the exit status (exit-codes.ts), so commands never call process.exit.
 */
export interface CliCommand {
  name: string;
  /** One line for `dbackup --help`. */
  summary: string;
  /** Full text for `dbackup <name> --help`: usage line(s), options, examples. */
  help: string;
  run(args: readonly string[], context: CliContext): Promise<void>;
}

/** A mistake on the command line: exit status 2 and a pointer to the command's help. */
export function usageError(message: string): DBackupError {
  return new DBackupError('invalid_input', message, { retryable: false, details: { usage: true } });
}

/**
 * `util.parseArgs` in strict mode, with its errors (unknown option, missing value) turned into
 * usage errors that name the command.
 */
export function parseCommandArgs<const Options extends ParseArgsOptionsConfig>(commandName: string, args: readonly string[], options: Options) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(`dbackup ${commandName}: ${message}`);
  }
}
