import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScratchFile, ScratchSpace } from '../../ports/scratch.port.ts';

/**
 * Scratch files under `baseDir` (default the OS temp dir), each in its own 0700 folder. Callers
 * remove them in `finally`; the engine gives each process its own `baseDir`, and what a killed
 * process left behind is removed at the next start (process-temp-dirs.ts).
 */
export function createLocalScratchSpace(baseDir: string = join(tmpdir(), 'dbackup-scratch')): ScratchSpace {
  return {
    async create(purpose) {
      await mkdir(baseDir, { recursive: true, mode: 0o700 });
      const dir = await mkdtemp(join(baseDir, `${purpose.replace(/[^a-z0-9-]/gi, '-')}-`));
      const path = join(dir, 'data');
      const file: ScratchFile = {
        path,
        writer: () => createWriteStream(path, { mode: 0o600 }),
        reader: (range = {}) => createReadStream(path, range),
        remove: () => rm(dir, { recursive: true, force: true }),
      };
      return file;
    },
  };
}
