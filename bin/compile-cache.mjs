// Loaded first by every entry point (`npm start`, `npx dbackup`, the emulator, the benchmarks).
// Node keeps the compiled — and for .ts files the type-stripped — form of each module on disk, so
// a later start neither re-compiles nor loads Node's TypeScript stripper, which alone holds about
// 30 MiB of memory for the life of the process. Entries are keyed by each file's content, so an
// edited file is simply compiled again. A cache that cannot be written is skipped silently: it
// only costs start-up time and memory, never correctness.
import module from 'node:module';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

if (typeof module.enableCompileCache === 'function' && process.env.NODE_DISABLE_COMPILE_CACHE === undefined) {
  module.enableCompileCache(fileURLToPath(new URL('../node_modules/.cache/dbackup-compile', import.meta.url)));
}
