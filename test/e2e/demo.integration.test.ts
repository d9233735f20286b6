import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';

it('npm run demo starts DBackup against the emulator and prints the demo App Key and Secret', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/demo.ts'], { env: { ...process.env, PORT: String(port), PUBLIC_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await expect.poll(() => output, { timeout: 30_000, interval: 200 }).toContain('Press Ctrl+C to stop.');
    expect(output).toMatch(/App Key: +dbackupdemokey/);
    expect(output).toMatch(/App Secret: +dbackupdemosecret/);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
    const emulatorUrl = /Dropbox API emulator: (http:\/\/\S+)/.exec(output)?.[1];
    expect(emulatorUrl).toBeDefined();
    // The demo app's consent page is ready for DBackup's redirect URI.
    const authorize = await fetch(
      `${emulatorUrl}/oauth2/authorize?client_id=dbackupdemokey&response_type=code&redirect_uri=${encodeURIComponent(`http://localhost:${port}/api/adapters/dropbox/callback`)}`,
    );
    expect(await authorize.text()).toContain('DBackup Demo');
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  const dataDir = /Data directory: (\S+)/.exec(output)?.[1] ?? '';
  expect(dataDir).not.toBe('');
  expect(existsSync(dataDir)).toBe(false);
});
