/**
 * Two servers on one data directory would run every schedule twice: the second refuses to start,
 * naming the first, and the first releases the directory when it stops.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startServer(dataDir: string, port: number) {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, DBACKUP_DATA_DIR: dataDir, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('is listening') && resolve());
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => undefined); // awaited only for servers expected to start
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}

describe('one server per data directory', () => {
  it('refuses a second server on the same data directory and frees it when the first stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbk-one-server-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const first = startServer(dataDir, await freePort());
    await first.listening;
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(true);

    const second = startServer(dataDir, await freePort());
    expect(await second.exited).toBe(1);
    expect(second.output().stderr).toMatch(new RegExp(`A DBackup server is already running on the data directory .* \\(process ${first.child.pid} on `));

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, 'server.lock'))).toBe(false);
    const third = startServer(dataDir, await freePort());
    await third.listening;
  }, 60_000);
});
