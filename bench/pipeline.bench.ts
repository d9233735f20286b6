/**
 * Backup pipeline benchmark: a real PostgreSQL database through DBackup's pipeline (pg_dump →
 * compression → AES-256-GCM encryption → hashing → Dropbox destination → emulator) against the
 * baseline `pg_dump | gzip > /dev/null` (and `| zstd`) measured in the same run.
 *
 *   npm run bench:pipeline -- --size 1GiB [--rounds 2] [--keep] [--compression gzip|zstd] [--verbose]
 *
 * Generates (or reuses, with --keep) a database whose plain dump is about --size bytes. The
 * emulator runs as a separate process, so this process's peak RSS is DBackup's pipeline alone.
 * Prints seconds of each, the ratio DBackup/baseline (goal ≤ 1.2), the CPU seconds each side's
 * processes spent (on a small machine they share the cores, so the totals decide the times) and
 * peak RSS (goal ≤ 200 MiB). `--verbose` adds, after each backup, the resident size and the peak
 * so far (whether the peak grows from one backup to the next), and at the end the sampled peaks of
 * V8 heap and external memory and this process's minor page faults.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { createEmulatorControl } from '../emulator/src/control-client.ts';
import { createBackupTransforms } from '../src/adapters/backup-transforms.ts';
import { generateEncryptionKey } from '../src/adapters/crypto/encryption-key.ts';
import { createDropboxDestination } from '../src/adapters/destinations/dropbox/dropbox.destination.ts';
import { createPostgresSource } from '../src/adapters/sources/postgres/postgres.source.ts';
import { runBackup } from '../src/core/backup/run-backup.ts';
import { createStorage } from '../src/core/storage.ts';
import { backendsGone, cpuSince, cpuSnapshot, findPostmaster, type CpuSnapshot } from './support/cpu-accounting.ts';
import { parseSize, startEmulatorProcess } from './support/emulator-process.ts';

const run = promisify(execFile);
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const MIB = 1024 * 1024;

async function psql(database: string, sql: string): Promise<string> {
  const { stdout } = await run('psql', ['-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { maxBuffer: 1 << 20 });
  return stdout.trim();
}

/** A database whose dump is about `size` bytes: rows of random hex (compresses about 2:1). */
async function ensureDatabase(name: string, size: number): Promise<void> {
  const exists = await psql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  if (exists === '1') {
    console.log(`Reusing database ${name}.`);
    return;
  }
  console.log(`Generating database ${name} (dump ≈ ${(size / MIB).toFixed(0)} MiB)…`);
  await psql('postgres', `CREATE DATABASE ${name}`);
  await psql(name, 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, kind text NOT NULL, payload text NOT NULL)');
  const rowBytes = 300;
  const rows = Math.ceil(size / rowBytes);
  const batch = 500_000;
  for (let start = 1; start <= rows; start += batch) {
    const end = Math.min(rows, start + batch - 1);
    await psql(name, `INSERT INTO events SELECT i, now() - i * interval '1 second', (ARRAY['order','refund','login','logout'])[1 + i % 4],
      md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text)
      FROM generate_series(${start}, ${end}) AS i`);
    process.stdout.write(`  ${end}/${rows} rows\r`);
  }
  console.log('');
}

function parseCompression(value: string): 'gzip' | 'zstd' {
  if (value !== 'gzip' && value !== 'zstd') throw new Error('--compression takes gzip or zstd');
  return value;
}

async function timeShell(command: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${command}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '1GiB' }, rounds: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false }, compression: { type: 'string' }, verbose: { type: 'boolean', default: false } } });
  const peaks = { heap: 0, external: 0, arrayBuffers: 0 };
  if (values.verbose) {
    setInterval(() => {
      const memory = process.memoryUsage();
      peaks.heap = Math.max(peaks.heap, memory.heapTotal);
      peaks.external = Math.max(peaks.external, memory.external);
      peaks.arrayBuffers = Math.max(peaks.arrayBuffers, memory.arrayBuffers);
    }, 20).unref();
  }
  const compressions = values.compression === undefined ? (['gzip', 'zstd'] as const) : ([parseCompression(values.compression)] as const);
  const size = parseSize(values.size);
  const rounds = Number(values.rounds);
  const database = `dbk_bench_${Math.round(size / MIB)}m`;
  await ensureDatabase(database, size);
  const dumpBytes = Number(await psql(database, 'SELECT pg_total_relation_size(\'events\')'));
  console.log(`Table size ${(dumpBytes / MIB).toFixed(0)} MiB.`);

  const dir = await mkdtemp(join(tmpdir(), 'dbk-pipeline-bench-'));
  const emulator = await startEmulatorProcess(dir, 64 * size);
  try {
    const control = createEmulatorControl(emulator.url);
    const { refreshToken } = await control.mintTokens({ appKey: emulator.app.key, accountEmail: emulator.email });
    const storage = createStorage(createDropboxDestination(
      { appKey: emulator.app.key, appSecret: emulator.app.secret, refreshToken, folderPath: '/bench' },
      { apiBaseUrl: emulator.url },
    ));
    const source = createPostgresSource(PG);
    const transforms = createBackupTransforms();
    const key = generateEncryptionKey();
    const dumpCommand = `pg_dump -h ${PG.host} -p ${PG.port} -U ${PG.user} ${database}`;

    for (const compression of compressions) {
      const baselineCommand = `${dumpCommand} | ${compression === 'gzip' ? 'gzip' : 'zstd -q -3'} > /dev/null`;
      const baseline: number[] = [];
      const ours: number[] = [];
      let stored = 0;
      let original = 0;
      const postmaster = findPostmaster();
      const cpu = { baseline: [] as CpuSnapshot[], ours: [] as CpuSnapshot[] };
      for (let round = 0; round < rounds; round++) {
        let before = cpuSnapshot(emulator.pid, postmaster);
        baseline.push(await timeShell(baselineCommand));
        await backendsGone(postmaster, database);
        cpu.baseline.push(cpuSince(before, cpuSnapshot(emulator.pid, postmaster)));
        before = cpuSnapshot(emulator.pid, postmaster);
        const started = performance.now();
        const outcome = await runBackup(
          { job: { id: 'bench', name: 'bench', folderName: `bench-${compression}`, compression }, source, sourceType: 'postgres', database, targets: [{ id: 'dropbox', name: 'emulator', storage }], encryption: { profileId: 'bench', key } },
          { transforms, clock: { now: () => new Date() }, appVersion: 'bench', log: () => undefined },
        );
        ours.push((performance.now() - started) / 1000);
        await backendsGone(postmaster, database);
        cpu.ours.push(cpuSince(before, cpuSnapshot(emulator.pid, postmaster)));
        if (outcome.results[0]?.status !== 'success') throw outcome.results[0]?.error ?? new Error('backup failed');
        stored = outcome.sidecar!.storedSize;
        original = outcome.sidecar!.originalSize;
        await storage.delete(outcome.key);
        await storage.delete(`${outcome.key}.meta.json`);
        if (values.verbose) {
          const memory = process.memoryUsage();
          console.log(`  ${compression} round ${round + 1}: ${ours.at(-1)!.toFixed(1)} s, RSS now ${(memory.rss / MIB).toFixed(0)} MiB (array buffers ${(memory.arrayBuffers / MIB).toFixed(0)}), peak so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
        }
      }
      const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
      const ratio = median(ours) / median(baseline);
      console.log(`\n${compression}: dump ${(original / MIB).toFixed(0)} MiB → stored ${(stored / MIB).toFixed(0)} MiB (encrypted)`);
      console.log(`  baseline  ${baselineCommand.replace(dumpCommand, 'pg_dump')}: ${baseline.map((s) => s.toFixed(1)).join(', ')} s (median ${median(baseline).toFixed(1)} s)`);
      console.log(`  DBackup   pg_dump → ${compression} → AES-256-GCM → Dropbox emulator: ${ours.map((s) => s.toFixed(1)).join(', ')} s (median ${median(ours).toFixed(1)} s)`);
      console.log(`  ratio DBackup/baseline ${ratio.toFixed(2)} (goal ≤ 1.2)`);
      const describeCpu = (list: CpuSnapshot[], own: string): string => {
        const mean = (pick: (snapshot: CpuSnapshot) => number) => list.reduce((sum, snapshot) => sum + pick(snapshot), 0) / list.length;
        const parts = [`${own} ${mean((s) => s.children).toFixed(1)}`, `PostgreSQL ${mean((s) => s.postgres).toFixed(1)}`];
        if (list === cpu.ours) parts.unshift(`DBackup ${mean((s) => s.self).toFixed(1)}`, `emulator ${mean((s) => s.emulator).toFixed(1)}`);
        const total = mean((s) => s.children + s.postgres + (list === cpu.ours ? s.self + s.emulator : 0));
        return `${total.toFixed(1)} s (${parts.join(', ')})`;
      };
      console.log(`  CPU per run: baseline ${describeCpu(cpu.baseline, 'pg_dump + compressor')}; DBackup ${describeCpu(cpu.ours, 'pg_dump')}`);
    }
    const usage = process.resourceUsage();
    console.log(`\npeak RSS of this process: ${(usage.maxRSS / 1024).toFixed(0)} MiB (goal ≤ 200 MiB)`);
    if (values.verbose) {
      console.log(`sampled peaks: V8 heap ${(peaks.heap / MIB).toFixed(0)} MiB, external ${(peaks.external / MIB).toFixed(0)} MiB (array buffers ${(peaks.arrayBuffers / MIB).toFixed(0)} MiB)`);
      console.log(`minor page faults of this process: ${usage.minorPageFault}`);
    }
  } finally {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
    if (!values.keep) await psql('postgres', `DROP DATABASE IF EXISTS ${database}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
