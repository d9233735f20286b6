import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProcessOwnership } from '../../ports/process-ownership.port.ts';

/**
 * Process ownership on this machine. A token is `<host> <pid> <start>`, where `<start>` tells this
 * process apart from a later one that gets the same pid (after a restart, a container's main
 * process is pid 1 every time): on Linux the boot id and the process's start time in clock ticks
 * (from /proc), elsewhere the start time in milliseconds.
 */
export function createLocalProcessOwnership(): ProcessOwnership {
  const host = hostname();
  const self = formatToken(host, process.pid, startMarker(process.pid) ?? fallbackMarker());
  return {
    self,
    hasEnded(owner) {
      if (owner === undefined) return true;
      const parsed = parseToken(owner);
      if (parsed === undefined) return true;
      // Another host name: a container that was recreated, or another machine sharing the data
      // directory. Runs are local to one host, so its processes count as ended.
      if (parsed.host !== host) return true;
      if (owner === self) return false;
      if (parsed.pid === process.pid) return true; // our pid, but an earlier process
      if (!processExists(parsed.pid)) return true;
      const marker = startMarker(parsed.pid);
      // Without /proc the pid's existence is all we can know.
      return marker !== undefined && marker !== parsed.start;
    },
  };
}

/** The token the process `pid` on this machine would have, where /proc can tell its start time. */
export function ownerTokenOf(pid: number): string | undefined {
  const marker = startMarker(pid);
  return marker === undefined ? undefined : formatToken(hostname(), pid, marker);
}

export function formatToken(host: string, pid: number, start: string): string {
  return `${host} ${pid} ${start}`;
}

export function parseToken(token: string): { host: string; pid: number; start: string } | undefined {
  const match = /^(\S+) (\d+) (\S+)$/.exec(token);
  if (match === null) return undefined;
  return { host: match[1]!, pid: Number(match[2]), start: match[3]! };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it just belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootId: string | undefined;

/** `<boot id>.<start time in ticks>` from /proc, or undefined where /proc is not available. */
function startMarker(pid: number): string | undefined {
  try {
    bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 12);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces); start time is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks === undefined ? undefined : `${bootId}.${ticks}`;
  } catch {
    return undefined;
  }
}

function fallbackMarker(): string {
  return String(Math.round(performance.timeOrigin));
}
