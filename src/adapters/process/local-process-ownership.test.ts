import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLocalProcessOwnership, formatToken, ownerTokenOf, parseToken } from './local-process-ownership.ts';

const onLinux = process.platform === 'linux';

describe('local process ownership', () => {
  const ownership = createLocalProcessOwnership();

  it('names this process by host, pid and start, and never counts it as ended', () => {
    expect(parseToken(ownership.self)).toMatchObject({ host: hostname(), pid: process.pid });
    expect(ownership.hasEnded(ownership.self)).toBe(false);
    if (onLinux) expect(ownerTokenOf(process.pid)).toBe(ownership.self);
  });

  it('counts a missing or unreadable token, another host, and an earlier process with our pid as ended', () => {
    expect(ownership.hasEnded(undefined)).toBe(true);
    expect(ownership.hasEnded('not a token')).toBe(true);
    const self = parseToken(ownership.self)!;
    expect(ownership.hasEnded(formatToken(`${self.host}-elsewhere`, self.pid, self.start))).toBe(true);
    expect(ownership.hasEnded(formatToken(self.host, self.pid, `${self.start}0`))).toBe(true);
  });

  it.runIf(onLinux)('tells a live process from one that exited, and from a later process given the same pid', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const token = ownerTokenOf(child.pid!)!;
      expect(ownership.hasEnded(token)).toBe(false);
      const { host, pid, start } = parseToken(token)!;
      // Same pid, other start time: the pid was reused by another process.
      expect(ownership.hasEnded(formatToken(host, pid, `${start}1`))).toBe(true);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      expect(ownership.hasEnded(token)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
