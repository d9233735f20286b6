/**
 * Compression benchmark on a file: DBackup's compressor (blocks compressed in parallel in the
 * libuv pool) against the system CLI and against one node:zlib stream, all in the same run.
 *
 *   node bench/compression.bench.ts --file dump.sql [--rounds 2] [--gzip] [--block-mib 4] [--parallelism 2]
 *
 * The file is read once beforehand so every run reads from the page cache. Prints the median
 * seconds, throughput and output size of each, the time ratio DBackup / CLI and the size ratio
 * DBackup / one stream. gzip (slow: about 30 s per GiB) only with --gzip.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { createCompressStream } from '../src/adapters/compression/compression.stream.ts';

const MIB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    gzip: { type: 'boolean', default: false },
    'block-mib': { type: 'string', default: '4' },
    parallelism: { type: 'string', default: '2' },
  },
});
if (!values.file) throw new Error('Pass --file <path> (for example a plain pg_dump output).');
const file = values.file;
const rounds = Number(values.rounds);
const blocks = { blockSize: Number(values['block-mib']) * MIB, parallelism: Number(values.parallelism) };

/** Seconds and output bytes of `command` with the file on stdin. */
async function timeCli(command: string, args: string[]): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
    createReadStream(file).pipe(child.stdin);
  });
  return { seconds: (performance.now() - started) / 1000, bytes };
}

/** Seconds and output bytes of the file through `stream`, read in 64 KiB pieces like a dump pipe. */
async function timeStream(stream: Duplex): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  let bytes = 0;
  const sink = new Writable({ write: (chunk: Buffer, _encoding, callback) => ((bytes += chunk.length), callback()) });
  await pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), stream, sink);
  return { seconds: (performance.now() - started) / 1000, bytes };
}

async function measure(label: string, run: () => Promise<{ seconds: number; bytes: number }>): Promise<{ seconds: number; bytes: number }> {
  const results = [];
  for (let round = 0; round < rounds; round++) results.push(await run());
  const sorted = [...results].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`  ${label.padEnd(44)} ${results.map((r) => r.seconds.toFixed(2)).join(', ')} s (median ${median.seconds.toFixed(2)} s), ${median.bytes} bytes`);
  return median;
}

let inputBytes = 0;
await pipeline(createReadStream(file), new Writable({ write: (chunk: Buffer, _encoding, callback) => ((inputBytes += chunk.length), callback()) }));
console.log(`${file}: ${(inputBytes / MIB).toFixed(0)} MiB; blocks of ${values['block-mib']} MiB, ${blocks.parallelism} at a time; ${rounds} round(s)`);

const zstdParams = { [zlib.constants.ZSTD_c_compressionLevel]: 3, [zlib.constants.ZSTD_c_checksumFlag]: 1 };
const cases = [
  { name: 'zstd -3', cli: () => timeCli('zstd', ['-q', '-3', '-c']), one: () => zlib.createZstdCompress({ params: zstdParams }), ours: () => createCompressStream('zstd', 3, blocks) },
  ...(values.gzip ? [{ name: 'gzip -6', cli: () => timeCli('gzip', ['-6', '-c']), one: () => zlib.createGzip({ level: 6 }), ours: () => createCompressStream('gzip', 6, blocks) }] : []),
];
for (const { name, cli, one, ours } of cases) {
  console.log(`\n${name}`);
  const baseline = await measure(`CLI (${name}, one thread)`, cli);
  const single = await measure('node:zlib, one stream', () => timeStream(one()));
  const dbackup = await measure('DBackup (parallel blocks)', () => timeStream(ours()));
  console.log(`  time DBackup / CLI ${(dbackup.seconds / baseline.seconds).toFixed(2)}, one stream / CLI ${(single.seconds / baseline.seconds).toFixed(2)}; ` +
    `DBackup ${(inputBytes / MIB / dbackup.seconds).toFixed(0)} MiB/s; size DBackup / one stream ${(dbackup.bytes / single.bytes).toFixed(4)}`);
}
console.log(`\npeak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
