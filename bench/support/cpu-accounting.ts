/**
 * CPU seconds spent by the processes of a benchmark, read from /proc (Linux): this process (all
 * its threads), its reaped children (pg_dump, or the baseline's shell pipeline), the emulator, and
 * the PostgreSQL server (its postmaster with the reaped backends that served the dump). On a small
 * machine where they all share the cores, the total decides the wall time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  self: number;
  children: number;
  emulator: number;
  postgres: number;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): field 3 (state) first. */
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function fields(pid: number | 'self'): number[] {
  return statFields(pid).map(Number);
}

/** utime, stime, cutime, cstime are fields 14–17, i.e. indexes 11–14 after the command name. */
function seconds(values: number[], from: number, to: number): number {
  let ticks = 0;
  for (let index = from; index <= to; index++) ticks += values[index] ?? 0;
  return ticks / TICKS_PER_SECOND;
}

/** The oldest process named `postgres` (the postmaster), or undefined where there is none. */
export function findPostmaster(): number | undefined {
  try {
    return Number(execFileSync('pgrep', ['-o', '-x', 'postgres'], { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(emulatorPid: number | undefined, postmasterPid: number | undefined): CpuSnapshot {
  const self = fields('self');
  const read = (pid: number | undefined, withChildren: boolean): number => {
    if (pid === undefined) return 0;
    try {
      return seconds(fields(pid), 11, withChildren ? 14 : 12);
    } catch {
      return 0;
    }
  };
  return { self: seconds(self, 11, 12), children: seconds(self, 13, 14), emulator: read(emulatorPid, false), postgres: read(postmasterPid, true) };
}

export function cpuSince(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return { self: after.self - before.self, children: after.children - before.children, emulator: after.emulator - before.emulator, postgres: after.postgres - before.postgres };
}

/**
 * The postmaster's children that serve `database` (their process title names it) or are exiting:
 * an exiting process has no title any more, and a zombie waits to be reaped.
 */
function backendsOf(postmasterPid: number, database: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [state, parent] = statFields(Number(entry));
      if (Number(parent) !== postmasterPid) continue;
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (state === 'Z' || title.trim() === '' || title.includes(` ${database} `)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/**
 * Waits (at most `timeoutMs`) until no backend serves `database`. A backend's CPU reaches the
 * postmaster's figures only once it has been reaped, which can be a moment after the client (pg_dump)
 * exited; a snapshot taken earlier would book it to whatever is measured next.
 */
export async function backendsGone(postmasterPid: number | undefined, database: string, timeoutMs = 5000): Promise<void> {
  if (postmasterPid === undefined) return;
  const deadline = Date.now() + timeoutMs;
  while (backendsOf(postmasterPid, database).length > 0 && Date.now() < deadline) await sleep(20);
}
