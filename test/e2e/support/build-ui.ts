import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';

/** Builds the web UI into a fresh temp folder (so tests never depend on a stale dist/web). */
export async function buildUi(): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'dbackup-ui-'));
  await build({
    configFile: path.resolve('src/interfaces/web/vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'error',
  });
  return outDir;
}
