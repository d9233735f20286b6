/**
 * Transfer benchmark: the Dropbox destination against plain HTTP, same run, same emulator.
 *
 *   npm run bench:transfer -- --size 1GiB --chunk 8MiB [--rounds 2] [--dir /dev/shm]
 *
 * A file of `--size` random bytes is generated on disk, the emulator starts as its own process,
 * and then, `--rounds` times and alternating, a fresh process uploads and downloads the file
 * through the Dropbox destination and another through raw `fetch` (bench/support/transfer-client.ts).
 * Each side thus has a process of its own, started with the same Node flags as this one (the
 * product's, from package.json), and its peak RSS is its alone. Prints the best MiB/s of each side,
 * the ratio destination/baseline, and each side's RSS before the first transfer and at its peak.
 *
 * The file and the emulator's storage live in `--dir`: by default /dev/shm (memory) when it has room
 * for them, else the temp folder. On disk, page-cache writeback of the emulator's files decided the
 * upload figures of either side at random; in memory both sides see the same server.
 *
 * Goals: ratio >= 0.8 both ways, and the destination's peak RSS <= 64 MiB + 2 x chunk. The
 * baseline's peak RSS is printed beside it: it is what Node's fetch needs for the same transfer
 * with no SDK, hashing or retries, so the difference is what the destination adds. Exit code 1
 * when a goal is missed.
 */
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createEmulatorControl } from '../emulator/src/control-client.ts';
import { parseSize, startEmulatorProcess, type EmulatorProcess } from './support/emulator-process.ts';
import type { TransferSideResult } from './support/transfer-client.ts';

const MIB = 1024 * 1024;
const CLIENT = fileURLToPath(new URL('./support/transfer-client.ts', import.meta.url));
const run = promisify(execFile);

/** Random bytes written through one reused buffer. */
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

/** /dev/shm when it exists and has `bytes` free, else undefined. */
async function memoryDirWithRoom(bytes: number): Promise<string | undefined> {
  try {
    const stats = await statfs('/dev/shm');
    return stats.bavail * stats.bsize >= bytes ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one side in a new process with this process's Node flags; returns what it measured. */
async function runSide(side: 'destination' | 'baseline' | 'none', args: string[]): Promise<TransferSideResult | undefined> {
  const { stdout } = await run(process.execPath, [...process.execArgv, CLIENT, '--side', side, ...args], { maxBuffer: 1 << 20 });
  return side === 'none' ? undefined : (JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as TransferSideResult);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '256MiB' },
      chunk: { type: 'string', default: '8MiB' },
      rounds: { type: 'string', default: '2' },
      dir: { type: 'string' },
    },
  });
  const size = parseSize(values.size);
  const chunk = parseSize(values.chunk);
  const rounds = Number(values.rounds);
  const dir = await mkdtemp(join(values.dir ?? (await memoryDirWithRoom(5 * size + 1024 * MIB)) ?? tmpdir(), 'dbackup-bench-'));
  let emulator: EmulatorProcess | undefined;
  try {
    const file = join(dir, 'backup.bin');
    console.log(`Generating ${(size / MIB).toFixed(0)} MiB in ${file} (the emulator stores its files beside it) ...`);
    await generateFile(file, size);
    const running = await startEmulatorProcess(dir, 4 * size + 1024 * MIB);
    emulator = running;
    const tokens = await createEmulatorControl(running.url).mintTokens({ appKey: running.app.key, accountEmail: running.email });
    const args = [
      '--url', running.url, '--app-key', running.app.key, '--app-secret', running.app.secret,
      '--refresh-token', tokens.refreshToken, '--access-token', tokens.accessToken,
      '--file', file, '--size', String(size), '--chunk', String(chunk),
      ...(running.pid === undefined ? [] : ['--emulator-pid', String(running.pid)]),
    ];
    await runSide('none', args); // fills the compile cache, so measured processes start as the product does

    const results: TransferSideResult[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      // Alternating, so neither side always runs on a warmer emulator.
      for (const side of round % 2 === 1 ? (['baseline', 'destination'] as const) : (['destination', 'baseline'] as const)) {
        const result = (await runSide(side, args))!;
        results.push(result);
        console.log(`  round ${round} ${side.padEnd(11)} up ${(size / MIB / result.uploadSeconds).toFixed(1)} MiB/s, down ${(size / MIB / result.downloadSeconds).toFixed(1)} MiB/s, peak RSS ${(result.peakRssBytes / MIB).toFixed(1)} MiB`);
      }
    }

    const of = (side: TransferSideResult['side']) => {
      const list = results.filter((result) => result.side === side);
      return {
        up: Math.min(...list.map((result) => result.uploadSeconds)),
        down: Math.min(...list.map((result) => result.downloadSeconds)),
        idle: Math.max(...list.map((result) => result.idleRssBytes)) / MIB,
        // CPU of the fastest transfer of each direction.
        uploadCpu: list.reduce((best, result) => (result.uploadSeconds < best.uploadSeconds ? result : best)).uploadCpu,
        downloadCpu: list.reduce((best, result) => (result.downloadSeconds < best.downloadSeconds ? result : best)).downloadCpu,
        peak: Math.max(...list.map((result) => result.peakRssBytes)) / MIB,
      };
    };
    const destination = of('destination');
    const baseline = of('baseline');
    const rate = (seconds: number): string => `${(size / MIB / seconds).toFixed(1).padStart(7)} MiB/s`;
    const upRatio = baseline.up / destination.up;
    const downRatio = baseline.down / destination.down;
    const rssLimitMiB = 64 + (2 * chunk) / MIB;
    console.log(`\nsize ${(size / MIB).toFixed(0)} MiB, chunk ${(chunk / MIB).toFixed(0)} MiB, best of ${rounds}, Node ${process.version} ${process.execArgv.join(' ')}`);
    console.log(`upload    destination ${rate(destination.up)}   baseline ${rate(baseline.up)}   ratio ${upRatio.toFixed(2)}`);
    console.log(`download  destination ${rate(destination.down)}   baseline ${rate(baseline.down)}   ratio ${downRatio.toFixed(2)}`);
    const perGiB = (seconds: number): string => (seconds / (size / (1024 * MIB))).toFixed(2);
    const cpu = (spent: { client: number; emulator: number }): string => `client ${perGiB(spent.client)} + emulator ${perGiB(spent.emulator)}`;
    console.log(`CPU s/GiB upload    destination ${cpu(destination.uploadCpu)}; baseline ${cpu(baseline.uploadCpu)}`);
    console.log(`          download  destination ${cpu(destination.downloadCpu)}; baseline ${cpu(baseline.downloadCpu)}`);
    const added = (side: { idle: number; peak: number }): string => `${side.peak.toFixed(1)} MiB (idle ${side.idle.toFixed(1)} + ${(side.peak - side.idle).toFixed(1)} added by the transfers)`;
    console.log(`peak RSS  destination ${added(destination)}`);
    console.log(`          baseline    ${added(baseline)}`);
    const ratiosOk = upRatio >= 0.8 && downRatio >= 0.8;
    const rssOk = destination.peak <= rssLimitMiB;
    const addedOk = destination.peak - destination.idle <= rssLimitMiB;
    console.log(`goals: ratio >= 0.8 ${ratiosOk ? 'met' : 'MISSED'}; destination peak RSS <= ${rssLimitMiB} MiB ${rssOk ? 'met' : 'MISSED'}`);
    console.log(`       (RSS added by the transfers <= ${rssLimitMiB} MiB: ${addedOk ? 'met' : 'missed'}; the raw-fetch baseline peaks at ${baseline.peak.toFixed(1)} MiB)`);
    if (!ratiosOk || !rssOk) process.exitCode = 1;
  } finally {
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
