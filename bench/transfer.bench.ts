/**
 * Transfer benchmark: the Dropbox destination against plain HTTP, same run, same emulator.
 *
 *   npm run bench:transfer -- --size 1GiB --chunk 8MiB [--rounds 2] [--only destination|baseline] [--verbose]
 *
 * The emulator runs as a separate child process, so this process's peak RSS is the client's
 * alone. A file of `--size` random bytes is generated on disk first (through one reused buffer);
 * then it is uploaded and downloaded `--rounds` times, alternating: through the Dropbox
 * destination (SDK, per-request and whole-file content hashes, retries, integrity checks) and
 * through a baseline of raw `fetch` calls doing the same upload session (start/append_v2/finish in
 * `--chunk` pieces) and a plain download. Prints the best MiB/s of each, the ratio
 * destination/baseline and the peak RSS (`process.resourceUsage().maxRSS`), with the RSS the
 * process already had before the first transfer (Node, its TypeScript loader, the SDK, fetch), and
 * checks the goals: ratio >= 0.8 and peak RSS <= 64 MiB + 2 x chunk. Exit code 1 when a goal is
 * missed. `--only` runs one side, to see its memory alone; `--verbose` prints memory per phase.
 */
import { randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEmulatorControl } from '../emulator/src/control-client.ts';
import { createDropboxTokenCache } from '../src/adapters/destinations/dropbox/dropbox-auth.ts';
import { headerSafeJson } from '../src/adapters/destinations/dropbox/dropbox-context.ts';
import { createDropboxDestination } from '../src/adapters/destinations/dropbox/dropbox.destination.ts';
import { parseSize, startEmulatorProcess, type EmulatorProcess } from './support/emulator-process.ts';

const MIB = 1024 * 1024;

/**
 * Raw-fetch baseline: the same upload session in `chunk`-byte requests, no SDK, no hashing. Like
 * the destination it hands fetch a stream of the buffer plus Content-Length, because a Uint8Array
 * body is copied twice by fetch; the comparison then measures the destination's own overhead.
 */
async function baselineUpload(url: string, token: string, file: string, path: string, chunk: number): Promise<void> {
  const call = async (route: string, arg: unknown, bytes: Uint8Array): Promise<unknown> => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    });
    const response = await fetch(`${url}/2/${route}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(bytes.length),
        'Dropbox-API-Arg': headerSafeJson(arg),
      },
      body,
      duplex: 'half',
    } as RequestInit);
    const text = await response.text();
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${text}`);
    return JSON.parse(text);
  };
  const buffer = Buffer.allocUnsafe(chunk);
  let fill = 0;
  let offset = 0;
  let sessionId: string | undefined;
  const flush = async (): Promise<void> => {
    const bytes = buffer.subarray(0, fill);
    if (sessionId === undefined) sessionId = ((await call('files/upload_session/start', { close: false }, bytes)) as { session_id: string }).session_id;
    else await call('files/upload_session/append_v2', { cursor: { session_id: sessionId, offset }, close: false }, bytes);
    offset += fill;
    fill = 0;
  };
  for await (const piece of createReadStream(file) as AsyncIterable<Buffer>) {
    let at = 0;
    while (at < piece.length) {
      const copied = piece.copy(buffer, fill, at);
      fill += copied;
      at += copied;
      if (fill === chunk) await flush();
    }
  }
  const commit = { path, mode: 'overwrite', autorename: false, mute: true };
  const last = buffer.subarray(0, fill);
  if (sessionId === undefined) sessionId = ((await call('files/upload_session/start', { close: false }, new Uint8Array(0))) as { session_id: string }).session_id;
  await call('files/upload_session/finish', { cursor: { session_id: sessionId, offset }, commit }, last);
}

async function baselineDownload(url: string, token: string, path: string): Promise<number> {
  const response = await fetch(`${url}/2/files/download`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': headerSafeJson({ path }) },
  });
  if (!response.ok || response.body === null) throw new Error(`files/download: HTTP ${response.status}`);
  let bytes = 0;
  for await (const piece of response.body as AsyncIterable<Uint8Array>) bytes += piece.length;
  return bytes;
}

/** Random bytes written through one reused buffer, so generating adds nothing to the peak RSS. */
async function generateFile(file: string, size: number): Promise<void> {
  const handle = await open(file, 'w');
  const buffer = Buffer.allocUnsafe(MIB);
  try {
    for (let written = 0; written < size; ) {
      const length = Math.min(buffer.length, size - written);
      randomFillSync(buffer, 0, length);
      await handle.write(buffer, 0, length);
      written += length;
    }
  } finally {
    await handle.close();
  }
}

let verbose = false;
const sampled = { rss: 0, external: 0, heap: 0 };
function report(phase: string): void {
  if (!verbose) return;
  const memory = process.memoryUsage();
  const mib = (bytes: number): string => (bytes / MIB).toFixed(1);
  console.log(
    `  [${phase}] rss ${mib(memory.rss)} MiB (peak ${(process.resourceUsage().maxRSS / 1024).toFixed(1)}), heap ${mib(memory.heapTotal)}, external ${mib(memory.external)}, array buffers ${mib(memory.arrayBuffers)}; sampled peaks: rss ${mib(sampled.rss)}, heap ${mib(sampled.heap)}, external ${mib(sampled.external)}`,
  );
  sampled.rss = 0;
  sampled.external = 0;
  sampled.heap = 0;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '256MiB' },
      chunk: { type: 'string', default: '8MiB' },
      rounds: { type: 'string', default: '2' },
      verbose: { type: 'boolean', default: false },
      /** Run one side only, e.g. to see the destination's own peak RSS. */
      only: { type: 'string' },
    },
  });
  const only = values.only;
  if (only !== undefined && only !== 'destination' && only !== 'baseline') throw new Error('--only takes destination or baseline');
  const runs = (side: 'destination' | 'baseline'): boolean => only === undefined || only === side;
  verbose = values.verbose;
  report('started');
  if (verbose) {
    // Sample memory while transfers run: the peak of external memory and RSS per phase.
    setInterval(() => {
      const memory = process.memoryUsage();
      sampled.rss = Math.max(sampled.rss, memory.rss);
      sampled.external = Math.max(sampled.external, memory.external);
      sampled.heap = Math.max(sampled.heap, memory.heapTotal);
    }, 20).unref();
  }
  const size = parseSize(values.size);
  const chunk = parseSize(values.chunk);
  const rounds = Number(values.rounds);
  const dir = await mkdtemp(join(tmpdir(), 'dbackup-bench-'));
  let emulator: EmulatorProcess | undefined;
  try {
    const file = join(dir, 'backup.bin');
    console.log(`Generating ${(size / MIB).toFixed(0)} MiB in ${file} ...`);
    await generateFile(file, size);
    report('generated');

    const running = await startEmulatorProcess(dir, 4 * size + 1024 * MIB);
    emulator = running;
    const tokens = await createEmulatorControl(running.url).mintTokens({ appKey: running.app.key, accountEmail: running.email });
    const destination = createDropboxDestination(
      { appKey: running.app.key, appSecret: running.app.secret, refreshToken: tokens.refreshToken, folderPath: '/bench' },
      { apiBaseUrl: running.url, chunkSize: chunk, tokenCache: createDropboxTokenCache() },
    );
    await destination.stat('warm-up'); // token refresh and keep-alive connection, outside the timings
    report('ready');

    const idleRss = process.memoryUsage().rss;
    const best = { destUp: Infinity, baseUp: Infinity, destDown: Infinity, baseDown: Infinity };
    const measure = async (key: keyof typeof best, run: () => Promise<void>): Promise<void> => {
      best[key] = Math.min(best[key], await timed(run));
      report(key);
    };
    for (let round = 1; round <= rounds; round += 1) {
      // Best of `rounds`, alternating, so neither side always runs on a warmer emulator.
      if (runs('baseline')) await measure('baseUp', () => baselineUpload(running.url, tokens.accessToken, file, '/bench/baseline.bin', chunk));
      if (runs('destination')) {
        await measure('destUp', async () => {
          await destination.write('destination.bin', createReadStream(file), { size });
        });
      }
      if (runs('baseline')) {
        await measure('baseDown', async () => {
          if ((await baselineDownload(running.url, tokens.accessToken, '/bench/baseline.bin')) !== size) throw new Error('baseline download size mismatch');
        });
      }
      if (runs('destination')) {
        await measure('destDown', async () => {
          let bytes = 0;
          for await (const piece of await destination.read('destination.bin')) bytes += (piece as Buffer).length;
          if (bytes !== size) throw new Error('destination download size mismatch');
        });
      }
    }

    const rate = (seconds: number): string => (Number.isFinite(seconds) ? `${(size / MIB / seconds).toFixed(1).padStart(7)} MiB/s` : '      – ');
    const upRatio = best.baseUp / best.destUp;
    const downRatio = best.baseDown / best.destDown;
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const idleMiB = idleRss / MIB;
    const rssLimitMiB = 64 + (2 * chunk) / MIB;
    const ratio = (value: number): string => (Number.isFinite(value) && value > 0 ? value.toFixed(2) : '–');
    console.log(`\nsize ${(size / MIB).toFixed(0)} MiB, chunk ${(chunk / MIB).toFixed(0)} MiB, best of ${rounds}, Node ${process.version}${only ? `, ${only} only` : ''}`);
    console.log(`upload    destination ${rate(best.destUp)}   baseline ${rate(best.baseUp)}   ratio ${ratio(upRatio)}`);
    console.log(`download  destination ${rate(best.destDown)}   baseline ${rate(best.baseDown)}   ratio ${ratio(downRatio)}`);
    console.log(`peak RSS  ${peakRssMiB.toFixed(1)} MiB (goal <= ${rssLimitMiB} MiB); idle before transfers ${idleMiB.toFixed(1)} MiB, so transfers added ${(peakRssMiB - idleMiB).toFixed(1)} MiB`);
    const ratiosOk = only !== undefined || (upRatio >= 0.8 && downRatio >= 0.8);
    const ok = ratiosOk && peakRssMiB <= rssLimitMiB;
    console.log(ok ? 'goals met: ratio >= 0.8, peak RSS <= 64 MiB + 2 x chunk' : `GOAL MISSED:${ratiosOk ? '' : ' ratio < 0.8'}${peakRssMiB <= rssLimitMiB ? '' : ' peak RSS'}`);
    if (!ok) process.exitCode = 1;
  } finally {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
