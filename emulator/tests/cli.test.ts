import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_SCOPES } from '../src/index.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** Starts `node emulator/main.ts <args>` and resolves with its URL once it prints it. */
function launch(args: string[]): Promise<{ url: string; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match && output.includes('Test-control API')) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          output: () => output,
          stop: () => new Promise((done) => {
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${output}`));
    });
  });
}

describe('emulator/main.ts', () => {
  it('starts with the demo app and account when no config is given and prints them', async () => {
    const emu = await launch(['--port', '0']);
    try {
      expect(emu.output()).toContain('demo-app-key');
      expect(emu.output()).toContain('demo@example.com');
      const info = (await (await fetch(`${emu.url}/__emulator/info`)).json()) as { accounts: { email: string }[] };
      expect(info.accounts.map((a) => a.email)).toEqual(['demo@example.com']);
    } finally {
      expect(await emu.stop()).toBe(0);
    }
  });

  it('reads --config, --token-ttl and --data-dir, and removes its run directory on exit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    try {
      const config = join(dir, 'emulator.json');
      await writeFile(config, JSON.stringify({
        apps: [{ key: 'cli-key', secret: 'cli-secret', name: 'CLI App', redirectUris: [], accessType: 'full_dropbox', scopes: ALL_SCOPES }],
        accounts: [{ name: 'Cli User', email: 'cli@example.com', quotaBytes: 1000 }],
      }));
      const data = join(dir, 'data');
      const emu = await launch(['--port', '0', '--config', config, '--token-ttl', '60', '--data-dir', data]);
      const minted = await fetch(`${emu.url}/__emulator/tokens`, { method: 'POST', body: JSON.stringify({ app_key: 'cli-key', account_email: 'cli@example.com' }) });
      expect(((await minted.json()) as { expires_in: number }).expires_in).toBe(60);
      expect((await readdir(data)).length).toBe(1);
      expect(await emu.stop()).toBe(0);
      expect(await readdir(data)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly on an invalid config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-cli-'));
    try {
      const config = join(dir, 'bad.json');
      await writeFile(config, JSON.stringify({ apps: [{ key: 'k' }], accounts: [] }));
      await expect(launch(['--port', '0', '--config', config])).rejects.toThrow(/invalid emulator config: apps\[0\]\.secret/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
