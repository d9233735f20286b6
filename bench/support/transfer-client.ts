/**
 * One side of bench/transfer in its own process, so its peak RSS is its own: uploads the file
 * once and downloads it once, either through the Dropbox destination (`--side destination`: the
 * SDK, per-request and whole-file content hashes, retries, integrity checks) or through raw
 * `fetch` calls doing the same upload session in `--chunk` pieces and a plain download
 * (`--side baseline`). Each side first moves a small file (4 chunks) the same way, so neither is
 * timed with cold code. Prints one JSON line: seconds of each transfer, the RSS before the first
 * transfer (after one warm-up request) and the process's peak RSS. `--side none` only imports
 * everything and exits: the parent runs it first so the compile cache is warm for the measured runs.
 */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDropboxTokenCache } from '../../src/adapters/destinations/dropbox/dropbox-auth.ts';
import { headerSafeJson } from '../../src/adapters/destinations/dropbox/dropbox-context.ts';
import { createDropboxDestination } from '../../src/adapters/destinations/dropbox/dropbox.destination.ts';
import { cpuSince, cpuSnapshot } from './cpu-accounting.ts';

export interface TransferSideResult {
  side: 'destination' | 'baseline';
  uploadSeconds: number;
  downloadSeconds: number;
  /** CPU seconds of this process (all threads) and of the emulator during each transfer. */
  uploadCpu: { client: number; emulator: number };
  downloadCpu: { client: number; emulator: number };
  idleRssBytes: number;
  peakRssBytes: number;
}

interface Setup {
  url: string;
  appKey: string;
  appSecret: string;
  refreshToken: string;
  accessToken: string;
  file: string;
  size: number;
  chunk: number;
  emulatorPid: number | undefined;
}

/**
 * The raw-fetch baseline's upload: the same session in `chunk`-byte requests, no SDK, no hashing.
 * Like the destination it hands fetch a stream of the buffer plus Content-Length (a Uint8Array
 * body is copied twice by fetch), so the comparison measures the destination's own overhead.
 */
async function baselineUpload(setup: Setup, path: string, bytes = setup.size): Promise<void> {
  const call = async (route: string, arg: unknown, bytes: Uint8Array): Promise<unknown> => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    });
    const response = await fetch(`${setup.url}/2/${route}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${setup.accessToken}`,
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
  const buffer = Buffer.allocUnsafe(setup.chunk);
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
  for await (const piece of createReadStream(setup.file, { end: bytes - 1 }) as AsyncIterable<Buffer>) {
    let at = 0;
    while (at < piece.length) {
      const copied = piece.copy(buffer, fill, at);
      fill += copied;
      at += copied;
      if (fill === setup.chunk) await flush();
    }
  }
  const commit = { path, mode: 'overwrite', autorename: false, mute: true };
  const last = buffer.subarray(0, fill);
  if (sessionId === undefined) sessionId = ((await call('files/upload_session/start', { close: false }, new Uint8Array(0))) as { session_id: string }).session_id;
  await call('files/upload_session/finish', { cursor: { session_id: sessionId, offset }, commit }, last);
}

async function baselineDownload(setup: Setup, path: string): Promise<number> {
  const response = await fetch(`${setup.url}/2/files/download`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${setup.accessToken}`, 'Dropbox-API-Arg': headerSafeJson({ path }) },
  });
  if (!response.ok || response.body === null) throw new Error(`files/download: HTTP ${response.status}`);
  let bytes = 0;
  for await (const piece of response.body as AsyncIterable<Uint8Array>) bytes += piece.length;
  return bytes;
}

/** The warm-up file: the first 4 chunks of the file (all of it when smaller). */
function warmUpBytes(setup: Setup): number {
  return Math.min(setup.size, 4 * setup.chunk);
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Times `run` and measures the CPU seconds this process and the emulator spent meanwhile. */
async function timedWithCpu(setup: Setup, run: () => Promise<void>): Promise<{ seconds: number; cpu: { client: number; emulator: number } }> {
  const before = cpuSnapshot(setup.emulatorPid, undefined);
  const seconds = await timed(run);
  const spent = cpuSince(before, cpuSnapshot(setup.emulatorPid, undefined));
  return { seconds, cpu: { client: spent.self, emulator: spent.emulator } };
}

async function runDestination(setup: Setup): Promise<Omit<TransferSideResult, 'side' | 'peakRssBytes'>> {
  const destination = createDropboxDestination(
    { appKey: setup.appKey, appSecret: setup.appSecret, refreshToken: setup.refreshToken, folderPath: '/bench' },
    { apiBaseUrl: setup.url, chunkSize: setup.chunk, tokenCache: createDropboxTokenCache() },
  );
  await destination.stat('warm-up'); // token refresh and keep-alive connection, outside the timings
  const idleRssBytes = process.memoryUsage().rss;
  const warmUp = warmUpBytes(setup);
  await destination.write('warm-up.bin', createReadStream(setup.file, { end: warmUp - 1 }), { size: warmUp });
  for await (const piece of await destination.read('warm-up.bin')) void piece;
  const upload = await timedWithCpu(setup, async () => {
    await destination.write('destination.bin', createReadStream(setup.file), { size: setup.size });
  });
  const download = await timedWithCpu(setup, async () => {
    let bytes = 0;
    for await (const piece of await destination.read('destination.bin')) bytes += (piece as Buffer).length;
    if (bytes !== setup.size) throw new Error(`destination download: ${bytes} of ${setup.size} bytes`);
  });
  return { uploadSeconds: upload.seconds, uploadCpu: upload.cpu, downloadSeconds: download.seconds, downloadCpu: download.cpu, idleRssBytes };
}

async function runBaseline(setup: Setup): Promise<Omit<TransferSideResult, 'side' | 'peakRssBytes'>> {
  // The same warm-up as the destination's: one request on a keep-alive connection.
  await fetch(`${setup.url}/2/users/get_current_account`, { method: 'POST', headers: { Authorization: `Bearer ${setup.accessToken}` } }).then((response) => response.text());
  const idleRssBytes = process.memoryUsage().rss;
  await baselineUpload(setup, '/bench/warm-up.bin', warmUpBytes(setup));
  await baselineDownload(setup, '/bench/warm-up.bin');
  const upload = await timedWithCpu(setup, () => baselineUpload(setup, '/bench/baseline.bin'));
  const download = await timedWithCpu(setup, async () => {
    const bytes = await baselineDownload(setup, '/bench/baseline.bin');
    if (bytes !== setup.size) throw new Error(`baseline download: ${bytes} of ${setup.size} bytes`);
  });
  return { uploadSeconds: upload.seconds, uploadCpu: upload.cpu, downloadSeconds: download.seconds, downloadCpu: download.cpu, idleRssBytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      side: { type: 'string' },
      url: { type: 'string', default: '' },
      'app-key': { type: 'string', default: '' },
      'app-secret': { type: 'string', default: '' },
      'refresh-token': { type: 'string', default: '' },
      'access-token': { type: 'string', default: '' },
      file: { type: 'string', default: '' },
      size: { type: 'string', default: '0' },
      chunk: { type: 'string', default: '0' },
      'emulator-pid': { type: 'string' },
    },
  });
  const side = values.side;
  if (side === 'none') return;
  if (side !== 'destination' && side !== 'baseline') throw new Error('--side takes destination, baseline or none');
  const setup: Setup = {
    url: values.url,
    appKey: values['app-key'],
    appSecret: values['app-secret'],
    refreshToken: values['refresh-token'],
    accessToken: values['access-token'],
    file: values.file,
    size: Number(values.size),
    chunk: Number(values.chunk),
    emulatorPid: values['emulator-pid'] === undefined ? undefined : Number(values['emulator-pid']),
  };
  const measured = side === 'destination' ? await runDestination(setup) : await runBaseline(setup);
  const result: TransferSideResult = { side, ...measured, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
