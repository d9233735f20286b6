import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DBackupError, cancelledError } from '../../core/errors.ts';
import { chunksOf } from '../../core/stream-chunks.ts';

/**
 * The one place the sources start child processes (pg_dump, psql, mariadb-dump, mariadb). Programs
 * are spawned with an argument vector, never through a shell; secrets travel in the environment or
 * in files, never on the command line (other users can read command lines from /proc).
 */
export interface ToolCommand {
  /** Name used in messages, e.g. `pg_dump`. */
  name: string;
  /** Executable path, or a bare name looked up on PATH. */
  path: string;
  args: readonly string[];
  /** The child's complete environment; build it with `toolEnv`. */
  env: NodeJS.ProcessEnv;
  /** What to install when the program is missing, e.g. `Install the PostgreSQL client tools (…)`. */
  installHint: string;
  /** Turns a non-zero exit into the product error; default: `unavailable` with the stderr tail. */
  describeFailure?: (failure: ToolFailure) => DBackupError;
}

export interface ToolFailure {
  name: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines the program wrote to stderr, bounded. */
  stderr: string;
}

export interface InputGuard {
  /** Sees every chunk before the child does. */
  observe(chunk: Buffer): void;
  /** Called at the end of input; throwing kills the child instead of letting it see end of input. */
  finish(): void;
}

export interface ToolRunOptions {
  signal?: AbortSignal;
  /** Fed to the child's stdin with backpressure; without it stdin is /dev/null. */
  input?: Readable;
  inputGuard?: InputGuard;
  /** Bytes of stderr kept (the tail). Default 16 KiB. */
  stderrLimit?: number;
}

export interface ToolProcess {
  /** The child's stdout. Ends only after exit code 0; otherwise destroyed with the failure. */
  stdout: Readable;
  /**
   * Resolves after exit code 0 once `stdout` has been read to its end; rejects with the failure
   * (or `cancelled` when `stdout` was destroyed early). Pre-observed: never an unhandled rejection.
   */
  done: Promise<void>;
}

const DEFAULT_STDERR_LIMIT = 16 * 1024;
const STDOUT_HIGH_WATER_MARK = 256 * 1024;

/** The parent's environment without inherited client settings (PG*, MYSQL*), plus `extra`. */
export function toolEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PG|MYSQL|MARIADB)/i.test(key)) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/**
 * Starts `command` and exposes its stdout as a stream. On abort, on an input error, on a refused
 * input guard, or when the consumer destroys `stdout` early, the child is killed with SIGKILL
 * BEFORE its stdin is closed: a client such as psql must never see end-of-input (and commit) for
 * input that was cut short.
 */
export function startTool(command: ToolCommand, options: ToolRunOptions = {}): ToolProcess {
  const { signal, input, inputGuard } = options;
  const stdout = new PassThrough({ highWaterMark: STDOUT_HIGH_WATER_MARK });
  // A failure is always reported through `done` too; without a listener here, destroying the
  // stream with an error that nobody listens for would crash the process.
  stdout.on('error', () => {});
  const stderr = new TailBuffer(options.stderrLimit ?? DEFAULT_STDERR_LIMIT);

  const done = new Promise<void>((resolve, reject) => {
    let failure: DBackupError | undefined;
    let settled = false;
    let inputFinished = input === undefined;

    const settle = (error: DBackupError | undefined): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        stdout.destroy(error);
        reject(error);
      } else {
        stdout.end();
        // Done means the consumer has the last byte too, not just that the child exited.
        finished(stdout).then(resolve, (closedEarly: unknown) =>
          reject(closedEarly instanceof DBackupError ? closedEarly : cancelledError(closedEarly)),
        );
      }
    };

    if (signal?.aborted) {
      input?.destroy();
      settle(cancelledError(signal.reason));
      return;
    }

    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command.path, command.args, {
        env: command.env,
        shell: false,
        windowsHide: true,
        stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      // Synchronous refusals: bad arguments such as a NUL byte in a path.
      settle(new DBackupError('invalid_input', `Could not start ${command.name}: ${String(error)}`, { cause: error }));
      return;
    }

    const fail = (error: DBackupError): void => {
      failure ??= error;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // Only after the kill: closing stdin first could let the child take EOF as "input complete".
      child.stdin?.destroy();
      child.stdout?.destroy();
      input?.destroy();
    };
    function onAbort(): void {
      fail(cancelledError(signal?.reason));
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        fail(missingToolError(command, error));
      } else {
        fail(new DBackupError('unavailable', `Could not run ${command.name}: ${error.message}`, { cause: error }));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdout?.pipe(stdout, { end: false });
    stdout.on('close', () => {
      if (!settled) fail(cancelledError(new Error(`The output of ${command.name} was closed before it finished.`)));
    });

    if (input && child.stdin) {
      const stdin = child.stdin;
      stdin.on('error', () => {
        // EPIPE when the child stops reading early; its exit status carries the real reason.
      });
      feed(input, stdin, inputGuard).then(
        () => {
          inputFinished = true;
        },
        (error: unknown) => {
          if (error instanceof StdinClosed) return;
          fail(asDBackupError(error, `Reading the input for ${command.name} failed`));
        },
      );
    }

    child.on('close', (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (failure) return settle(failure);
      if (exitCode !== 0) {
        const details: ToolFailure = { name: command.name, exitCode, signal: exitSignal, stderr: stderr.text() };
        return settle((command.describeFailure ?? defaultFailure)(details));
      }
      if (!inputFinished) {
        input?.destroy();
        return settle(new DBackupError('internal', `${command.name} exited before reading all of its input.`));
      }
      settle(undefined);
    });
  });
  done.catch(() => {});
  return { stdout, done };
}

/** Runs `command` to completion and returns its stdout (bounded to `maxStdout`, default 1 MiB). */
export async function runTool(command: ToolCommand, options: ToolRunOptions & { maxStdout?: number } = {}): Promise<string> {
  const tool = startTool(command, options);
  const collected = new TailBuffer(options.maxStdout ?? 1024 * 1024, 'head');
  tool.stdout.on('data', (chunk: Buffer) => collected.push(chunk));
  await tool.done;
  return collected.text();
}

/** `unavailable` error for a program that is not installed (or not executable). */
export function missingToolError(command: Pick<ToolCommand, 'name' | 'path' | 'installHint'>, cause?: unknown): DBackupError {
  const where = command.path === command.name ? '' : ` at ${command.path}`;
  return new DBackupError('unavailable', `${command.name} was not found${where}. ${command.installHint}`, {
    cause,
    retryable: false,
    details: { reason: 'tool_missing', tool: command.name, path: command.path },
  });
}

function defaultFailure(failure: ToolFailure): DBackupError {
  return new DBackupError('unavailable', `${failure.name} failed (${describeExit(failure)}): ${failure.stderr || 'no error output'}`, {
    retryable: false,
    details: { tool: failure.name, exitCode: failure.exitCode, signal: failure.signal, stderr: failure.stderr },
  });
}

export function describeExit(failure: Pick<ToolFailure, 'exitCode' | 'signal'>): string {
  return failure.signal ? `killed by ${failure.signal}` : `exit code ${failure.exitCode}`;
}

class StdinClosed extends Error {}

async function feed(input: Readable, stdin: Writable, guard: InputGuard | undefined): Promise<void> {
  for await (const bytes of chunksOf(input)) {
    guard?.observe(bytes);
    if (stdin.destroyed || stdin.writableEnded) throw new StdinClosed();
    if (!stdin.write(bytes)) await drained(stdin);
  }
  guard?.finish();
  stdin.end();
}

function drained(stdin: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stdin.off('drain', onDrain);
      stdin.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(new StdinClosed());
    };
    stdin.on('drain', onDrain);
    stdin.on('close', onClose);
  });
}

function asDBackupError(error: unknown, context: string): DBackupError {
  if (error instanceof DBackupError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DBackupError('internal', `${context}: ${message}`, { cause: error });
}

/** Keeps the last (or first) `limit` bytes of a byte stream, decoded as UTF-8 text. */
export class TailBuffer {
  readonly #limit: number;
  readonly #keep: 'head' | 'tail';
  #chunks: Buffer[] = [];
  #size = 0;
  #dropped = false;

  constructor(limit: number, keep: 'head' | 'tail' = 'tail') {
    this.#limit = limit;
    this.#keep = keep;
  }

  push(chunk: Buffer): void {
    if (this.#keep === 'head' && this.#size >= this.#limit) {
      this.#dropped = true;
      return;
    }
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (this.#size > this.#limit) {
      const all = Buffer.concat(this.#chunks);
      const kept = this.#keep === 'tail' ? all.subarray(all.length - this.#limit) : all.subarray(0, this.#limit);
      this.#chunks = [kept];
      this.#size = kept.length;
      this.#dropped = true;
    }
  }

  /** The kept text, trimmed; a cut at the start is marked with `…`. */
  text(): string {
    const text = Buffer.concat(this.#chunks).toString('utf8').trim();
    return this.#dropped && this.#keep === 'tail' ? `…${text}` : text;
  }
}
