#!/usr/bin/env node
// The `dbackup` command. It imports TypeScript directly, so it needs the project's Node 24: `npx dbackup`
// gets it because npx puts node_modules/.bin (holding the pinned `node` package) first on PATH.
import process from 'node:process';
import './compile-cache.mjs';
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`dbackup needs Node.js 24 or later (this is ${process.version}). Run it from the project as 'npx dbackup'.\n`);
  process.exit(1);
}

const { runCli } = await import('../src/interfaces/cli/main.ts');

// First Ctrl-C / SIGTERM: cancel cleanly (commands remove partial output). A second Ctrl-C kills.
const controller = new globalThis.AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => controller.abort(new Error(`Interrupted by ${signal}`)));
}

process.exitCode = await runCli(process.argv.slice(2), { signal: controller.signal });
