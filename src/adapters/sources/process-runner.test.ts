import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DBackupError, isDBackupError } from '../../core/errors.ts';
import { runTool, startTool, TailBuffer, toolEnv, type ToolCommand } from './process-runner.ts';
import { trailerGuard } from './trailer-guard.ts';

// The child programs are small scripts run by the same Node binary as the tests.
function node(script: string, extra: Partial<ToolCommand> = {}): ToolCommand {
  return {
    name: 'fake-tool',
    path: process.execPath,
    args: ['-e', script],
    env: toolEnv(),
    installHint: 'Install fake-tool (apt-get install fake-tool).',
    ...extra,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<DBackupError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DBackupError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dbk-runner-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('startTool', () => {
  it('streams stdout and ends after a successful exit', async () => {
    const tool = startTool(node('for (let i = 0; i < 1000; i++) process.stdout.write("line " + i + "\\n")'));
    const text = (await readAll(tool.stdout)).toString();
    await tool.done;
    expect(text.split('\n')).toHaveLength(1001);
    expect(text.startsWith('line 0\n')).toBe(true);
  });

  it('destroys the stream instead of ending it when the tool fails, quoting its stderr', async () => {
    const tool = startTool(node('process.stdout.write("partial output"); console.error("pg_dump: error: out of disk"); process.exit(1)'));
    const error = await rejection(readAll(tool.stdout));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('fake-tool failed (exit code 1)');
    expect(error.message).toContain('out of disk');
    expect(await rejection(tool.done)).toBe(error);
  });

  it('reports a missing program with the install hint', async () => {
    const tool = startTool(node('', { path: '/nonexistent/fake-tool' }));
    const error = await rejection(tool.done);
    expect(error.code).toBe('unavailable');
    expect(error.details).toMatchObject({ reason: 'tool_missing', tool: 'fake-tool' });
    expect(error.message).toBe('fake-tool was not found at /nonexistent/fake-tool. Install fake-tool (apt-get install fake-tool).');
    expect(tool.stdout.destroyed).toBe(true);
  });

  it('kills the child when the signal fires', async () => {
    const controller = new AbortController();
    const tool = startTool(node('process.stdout.write("ready\\n"); setInterval(() => {}, 1000)'), { signal: controller.signal });
    tool.stdout.once('data', () => controller.abort(new Error('user pressed stop')));
    const error = await rejection(tool.done);
    expect(error.code).toBe('cancelled');
  });

  it('kills the child when the consumer destroys the stream early', async () => {
    const tool = startTool(node('setInterval(() => process.stdout.write("x".repeat(65536)), 1)'));
    tool.stdout.once('data', () => tool.stdout.destroy());
    const error = await rejection(tool.done);
    expect(error.code).toBe('cancelled');
  });

  it('keeps only a bounded tail of stderr', async () => {
    const tool = startTool(node('process.stderr.write("noise ".repeat(200000) + "the real reason"); process.exitCode = 2'), { stderrLimit: 1024 });
    const error = await rejection(tool.done);
    expect(error.message.length).toBeLessThan(1200);
    expect(error.message).toContain('the real reason');
    expect(error.message).toContain('exit code 2');
  });

  it('feeds input through stdin with backpressure, byte for byte', async () => {
    const input = randomBytes(8 * 1024 * 1024);
    const tool = startTool(node('process.stdin.pipe(process.stdout)'), { input: Readable.from(chunksOf(input, 100_000)) });
    const output = await readAll(tool.stdout);
    await tool.done;
    expect(createHash('sha256').update(output).digest('hex')).toBe(createHash('sha256').update(input).digest('hex'));
  });

  it('kills the child before it can see end-of-input when the input fails', async () => {
    // Guards the psql case: EOF on stdin would make `--single-transaction` COMMIT a partial restore.
    const marker = join(tempDir(), 'committed');
    const script = `process.stdin.resume(); process.stdin.on('end', () => require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes'))`;
    const broken = new DBackupError('integrity', 'authentication tag mismatch');
    const input = Readable.from(
      (async function* () {
        yield Buffer.from('BEGIN;\n');
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw broken;
      })(),
    );
    const error = await rejection(runTool(node(script), { input }));
    expect(error).toBe(broken);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses to close stdin when the input guard rejects the end of input', async () => {
    const marker = join(tempDir(), 'committed');
    const script = `process.stdin.resume(); process.stdin.on('end', () => require('fs').writeFileSync(${JSON.stringify(marker)}, 'yes'))`;
    const input = Readable.from([Buffer.from('CREATE TABLE t(a int);\n-- no trailer\n')]);
    const error = await rejection(runTool(node(script), { input, inputGuard: trailerGuard('-- Dump completed', 'mysqldump') }));
    expect(error.code).toBe('integrity');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(existsSync(marker)).toBe(false);

    const complete = Readable.from([Buffer.from('CREATE TABLE t(a int);\n-- Dump completed on 2024-01-01\n')]);
    await runTool(node(script), { input: complete, inputGuard: trailerGuard('-- Dump completed', 'mysqldump') });
    expect(existsSync(marker)).toBe(true);
  });

  it('reports a child that exits successfully before reading all of its input', async () => {
    const input = Readable.from(chunksOf(randomBytes(4 * 1024 * 1024), 65536));
    const error = await rejection(runTool(node('process.exit(0)'), { input }));
    expect(error.message).toContain('exited before reading all of its input');
  });

  it('lets the adapter describe a failure', async () => {
    const command = node('console.error("ERROR:  syntax error at line 3"); process.exit(3)', {
      describeFailure: (failure) => new DBackupError('invalid_input', `rejected: ${failure.stderr} (${failure.exitCode})`),
    });
    const error = await rejection(runTool(command));
    expect(isDBackupError(error, 'invalid_input')).toBe(true);
    expect(error.message).toBe('rejected: ERROR:  syntax error at line 3 (3)');
  });
});

describe('toolEnv', () => {
  it('drops inherited client settings and adds the given ones', () => {
    process.env.PGSERVICE = 'inherited';
    process.env.MYSQL_PWD = 'inherited';
    try {
      const env = toolEnv({ PGPASSWORD: 'secret', EMPTY: undefined });
      expect(env.PGSERVICE).toBeUndefined();
      expect(env.MYSQL_PWD).toBeUndefined();
      expect(env.PGPASSWORD).toBe('secret');
      expect('EMPTY' in env).toBe(false);
      expect(env.PATH).toBe(process.env.PATH);
    } finally {
      delete process.env.PGSERVICE;
      delete process.env.MYSQL_PWD;
    }
  });
});

describe('TailBuffer', () => {
  it('keeps the last bytes and marks the cut', () => {
    const buffer = new TailBuffer(10);
    buffer.push(Buffer.from('0123456789'));
    buffer.push(Buffer.from('abcdef'));
    expect(buffer.text()).toBe('…6789abcdef');
  });
});

function* chunksOf(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}
