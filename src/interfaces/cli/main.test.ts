import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBackupError, type ErrorCode } from '../../core/errors.ts';
import { transformAll } from '../../adapters/crypto/crypto.test-helpers.ts';
import { createEncryptStream } from '../../adapters/crypto/encrypt.stream.ts';
import { generateEncryptionKey } from '../../adapters/crypto/encryption-key.ts';
import { serializeKeyFile } from '../../adapters/crypto/key-file.ts';
import { COMMANDS } from './commands.ts';
import { EXIT_CODES, EXIT_CODE_DESCRIPTIONS, exitCodeFor } from './exit-codes.ts';
import { runCli } from './main.ts';

function memoryStream(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

async function run(argv: string[], options: { cwd?: string; signal?: AbortSignal } = {}) {
  const stdout = memoryStream();
  const stderr = memoryStream();
  const code = await runCli(argv, {
    stdin: new PassThrough(),
    stdout: stdout.stream,
    stderr: stderr.stream,
    cwd: options.cwd ?? tmpdir(),
    env: {},
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbackup-cli-main-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dbackup command dispatcher', () => {
  it('prints the package version', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(await run([flag])).toEqual({ code: 0, stdout: `dbackup ${manifest.version}\n`, stderr: '' });
    }
  });

  it('lists every command and the exit statuses in --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command.name} +${command.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
    for (const [status, text] of EXIT_CODE_DESCRIPTIONS) expect(stdout).toMatch(new RegExp(`\\b${status}  ${text.replace(/[()]/g, '\\$&')}`));
  });

  it('shows help on stderr with usage status when run without arguments', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(EXIT_CODES.usage);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: dbackup <command>/);
  });

  it('rejects an unknown command or global option with status 2', async () => {
    const command = await run(['frobnicate']);
    expect(command.code).toBe(EXIT_CODES.usage);
    expect(command.stderr).toMatch(/Unknown command 'frobnicate'\. Commands: [a-z-]+(, [a-z-]+)*\./);
    expect(command.stderr).toContain('decrypt');
    const option = await run(['--frob']);
    expect(option.code).toBe(EXIT_CODES.usage);
    expect(option.stderr).toMatch(/Unknown option '--frob'/);
  });

  it("shows a command's help with --help or `help <command>`", async () => {
    for (const argv of [['decrypt', '--help'], ['decrypt', 'x.enc', '-h'], ['help', 'decrypt']]) {
      const { code, stdout } = await run(argv);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: dbackup decrypt <file> --key <keyfile>/);
      expect(stdout).toContain('Exit status:');
    }
  });

  it('turns option parsing errors into usage errors that point to the help', async () => {
    const { code, stderr } = await run(['decrypt', 'x.enc', '--key']);
    expect(code).toBe(EXIT_CODES.usage);
    expect(stderr).toMatch(/dbackup decrypt: .*--key[\s\S]*Run 'dbackup decrypt --help' for usage/);
  });

  it('cancels cleanly: an aborted run exits 130 and leaves no output file', async () => {
    const key = generateEncryptionKey();
    await writeFile(join(dir, 'k.json'), serializeKeyFile({ key, name: 'k' }));
    await writeFile(join(dir, 'b.sql.enc'), await transformAll(createEncryptStream(key), Buffer.alloc(3 * 1024 * 1024, 1)));
    const before = await readdir(dir);
    const controller = new AbortController();
    controller.abort(new Error('Interrupted by SIGINT'));
    const { code, stderr } = await run(['decrypt', 'b.sql.enc', '--key', 'k.json'], { cwd: dir, signal: controller.signal });
    expect(code).toBe(EXIT_CODES.cancelled);
    expect(stderr).toMatch(/cancelled/);
    expect(await readdir(dir)).toEqual(before);
  });
});

describe('exit codes', () => {
  it('maps every error code to its documented status', () => {
    const expected: Record<ErrorCode, number> = {
      invalid_input: 2,
      integrity: 3,
      not_found: 4,
      authorization_required: 5,
      missing_scope: 5,
      conflict: 6,
      quota_exceeded: 7,
      too_large: 7,
      transient: 8,
      rate_limited: 8,
      unavailable: 8,
      cancelled: 130,
      internal: 1,
    };
    for (const [code, status] of Object.entries(expected)) expect(exitCodeFor(new DBackupError(code as ErrorCode, 'x')), code).toBe(status);
  });

  it('maps aborts to 130 and anything else to 1', () => {
    expect(exitCodeFor(new DOMException('stop', 'AbortError'))).toBe(130);
    expect(exitCodeFor(new Error('boom'))).toBe(1);
    expect(exitCodeFor('weird')).toBe(1);
  });
});
