import type { Writable } from 'node:stream';
import { formatBytes } from './table.ts';

/**
 * Progress for long commands: a single redrawn line on a terminal, a line every few seconds
 * otherwise (logs, CI), so piped output stays readable.
 */
export function createProgressReporter(out: Writable & { isTTY?: boolean }) {
  let lastLine = 0;
  let drawn = false;
  return {
    update(stage: string, bytes: number, rate?: number, etaSeconds?: number) {
      const text = `${stage.padEnd(10)} ${formatBytes(bytes).padStart(10)}${rate ? `  ${formatBytes(rate)}/s` : ''}${etaSeconds !== undefined ? `  ETA ${etaSeconds}s` : ''}`;
      if (out.isTTY) {
        out.write(`\r${text.padEnd(60)}`);
        drawn = true;
      } else if (Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        out.write(`${text}\n`);
      }
    },
    done() {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
