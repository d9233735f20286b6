/**
 * Starts the Dropbox API emulator as a separate process for benchmarks, so the benchmark process's
 * peak RSS measures the client alone. Returns its URL and a stop function.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { freePort } from '../../test/support/free-port.ts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCOPES = ['account_info.read', 'files.metadata.read', 'files.metadata.write', 'files.content.read', 'files.content.write'];

export interface EmulatorProcess {
  url: string;
  pid: number | undefined;
  app: { key: string; secret: string };
  email: string;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(dir: string, quotaBytes: number): Promise<EmulatorProcess> {
  const app = { key: 'bench-app', secret: 'bench-secret' };
  const email = 'bench@example.com';
  const configPath = join(dir, 'emulator.json');
  await writeFile(configPath, JSON.stringify({
    apps: [{ ...app, name: 'DBackup Bench', redirectUris: ['http://localhost:3000/cb'], accessType: 'full_dropbox', scopes: SCOPES }],
    accounts: [{ name: 'Bench', email, quotaBytes }],
    dataDir: join(dir, 'emulator-data'),
  }));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', join(ROOT, 'bin/compile-cache.mjs'), join(ROOT, 'emulator/main.ts'), '--port', String(port), '--config', configPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`the emulator exited with code ${child.exitCode}`);
    try {
      await fetch(`${url}/__emulator/info`);
      return { url, pid: child.pid, app, email, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new Error('the emulator did not start within 10 s');
}

/** `256MiB`, `1GiB`, `1.5GiB`, or a byte count. */
export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!match) throw new Error(`Cannot read the size ${JSON.stringify(text)}; use e.g. 256MiB or 1GiB.`);
  const factor = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kib' | 'mib' | 'gib'];
  return Math.round(Number(match[1]) * factor);
}
