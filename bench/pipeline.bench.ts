/**
 * Backup pipeline benchmark: a real PostgreSQL database through DBackup's pipeline (pg_dump →
 * compression → AES-256-GCM encryption → hashing → Dropbox destination → emulator) against the
 * baseline `pg_dump | gzip > /dev/null` (and `| zstd`) measured in the same run.
 *
 *   npm run bench:pipeline -- --size 1GiB [--rounds 2] [--keep]
 *
 * Generates (or reuses, with --keep) a database whose plain dump is about --size bytes. The
 * emulator runs as a separate process, so this process's peak RSS is DBackup's pipeline alone.
 * Prints seconds of each, the ratio DBackup/baseline (goal ≤ 1.2) and peak RSS (goal ≤ 200 MiB).
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

async function timeShell(command: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${command}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '1GiB' }, rounds: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } } });
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

    for (const compression of ['gzip', 'zstd'] as const) {
      const baselineCommand = `${dumpCommand} | ${compression === 'gzip' ? 'gzip' : 'zstd -q -3'} > /dev/null`;
      const baseline: number[] = [];
      const ours: number[] = [];
      let stored = 0;
      let original = 0;
      for (let round = 0; round < rounds; round++) {
        baseline.push(await timeShell(baselineCommand));
        const started = performance.now();
        const outcome = await runBackup(
          { job: { id: 'bench', name: 'bench', folderName: `bench-${compression}`, compression }, source, sourceType: 'postgres', database, targets: [{ id: 'dropbox', name: 'emulator', storage }], encryption: { profileId: 'bench', key } },
          { transforms, clock: { now: () => new Date() }, appVersion: 'bench', log: () => undefined },
        );
        ours.push((performance.now() - started) / 1000);
        if (outcome.results[0]?.status !== 'success') throw outcome.results[0]?.error ?? new Error('backup failed');
        stored = outcome.sidecar!.storedSize;
        original = outcome.sidecar!.originalSize;
        await storage.delete(outcome.key);
        await storage.delete(`${outcome.key}.meta.json`);
      }
      const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
      const ratio = median(ours) / median(baseline);
      console.log(`\n${compression}: dump ${(original / MIB).toFixed(0)} MiB → stored ${(stored / MIB).toFixed(0)} MiB (encrypted)`);
      console.log(`  baseline  ${baselineCommand.replace(dumpCommand, 'pg_dump')}: ${baseline.map((s) => s.toFixed(1)).join(', ')} s (median ${median(baseline).toFixed(1)} s)`);
      console.log(`  DBackup   pg_dump → ${compression} → AES-256-GCM → Dropbox emulator: ${ours.map((s) => s.toFixed(1)).join(', ')} s (median ${median(ours).toFixed(1)} s)`);
      console.log(`  ratio DBackup/baseline ${ratio.toFixed(2)} (goal ≤ 1.2)`);
    }
    const peakMiB = process.resourceUsage().maxRSS / 1024;
    console.log(`\npeak RSS of this process: ${peakMiB.toFixed(0)} MiB (goal ≤ 200 MiB)`);
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
