/**
 * The backup engine end to end, for every source against a real database: fill a database with
 * the engine's fixture, back it up through the whole pipeline (compression × encryption) to the
 * local disk and to Dropbox (through the emulator), restore each backup into a new database, and
 * compare schema, every row and sequence positions with the original.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackupTransforms } from '../src/adapters/backup-transforms.ts';
import { fingerprintOf, generateEncryptionKey } from '../src/adapters/crypto/encryption-key.ts';
import { APPS, startTestEmulator, type TestEmulator } from '../src/adapters/destinations/dropbox/dropbox-emulator.test-support.ts';
import { createLocalDestination } from '../src/adapters/destinations/local/local.destination.ts';
import { createLocalScratchSpace } from '../src/adapters/scratch/local-scratch.ts';
import { mysqlHarness } from '../src/adapters/sources/mysql/mysql.fixture.ts';
import { postgresHarness } from '../src/adapters/sources/postgres/postgres.fixture.ts';
import type { RoundTripHarness, TestDatabase, DatabaseSnapshot } from '../src/adapters/sources/source.roundtrip.ts';
import { sqliteHarness } from '../src/adapters/sources/sqlite/sqlite.fixture.ts';
import type { CompressionKind } from '../src/core/backup/backup-naming.ts';
import { runBackup } from '../src/core/backup/run-backup.ts';
import { runRestore } from '../src/core/restore/run-restore.ts';
import { createStorage } from '../src/core/storage.ts';
import type { Destination } from '../src/ports/destination.port.ts';

const transforms = createBackupTransforms({ encryptionChunkSize: 256 * 1024 });
const profileKey = generateEncryptionKey();
const COMBINATIONS: Array<{ compression: CompressionKind; encrypted: boolean }> = [
  { compression: 'none', encrypted: false },
  { compression: 'gzip', encrypted: false },
  { compression: 'zstd', encrypted: false },
  { compression: 'none', encrypted: true },
  { compression: 'gzip', encrypted: true },
  { compression: 'zstd', encrypted: true },
];

const ENGINES: Array<[string, () => RoundTripHarness]> = [
  ['PostgreSQL', postgresHarness],
  ['MariaDB', mysqlHarness],
  ['SQLite', sqliteHarness],
];

let workDir: string;
let emulator: TestEmulator;
const destinations: Record<string, Destination> = {};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'dbk-pipeline-rt-'));
  emulator = await startTestEmulator();
  destinations.local = createStorage(createLocalDestination({ basePath: join(workDir, 'local') }));
  destinations.dropbox = createStorage((await emulator.destination(APPS.fullDropbox, '/DBackup')).destination);
});
afterAll(async () => {
  await emulator?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

for (const [engineName, makeHarness] of ENGINES) {
  const harness = makeHarness();
  const unavailable = await harness.unavailable();
  const run = unavailable === undefined || process.env.CI === 'true';

  describe.skipIf(!run)(`${engineName} backup → restore through the pipeline`, () => {
    const created: TestDatabase[] = [];
    let original: TestDatabase;
    let expected: DatabaseSnapshot;

    beforeAll(async () => {
      if (unavailable !== undefined) throw new Error(`${engineName} is required when CI=true: ${unavailable}`);
      original = await harness.createDatabase();
      created.push(original);
      await harness.fill(original);
      expected = await harness.snapshot(original);
    });
    afterAll(async () => {
      for (const database of created) await harness.drop(database).catch(() => undefined);
    });

    for (const { compression, encrypted } of COMBINATIONS) {
      for (const destinationName of ['local', 'dropbox']) {
        it(`${compression}${encrypted ? ' + encryption' : ''} via ${destinationName}`, async () => {
          const storage = destinations[destinationName]!;
          const outcome = await runBackup(
            {
              job: { id: 'rt', name: 'Round trip', folderName: `${engineName}-${compression}-${encrypted}`, compression },
              source: original.source, sourceType: engineName, database: original.name,
              targets: [{ id: destinationName, name: destinationName, storage }],
              encryption: encrypted ? { profileId: 'p', key: profileKey } : undefined,
            },
            { transforms, clock: { now: () => new Date() }, appVersion: 'test', log: () => undefined },
          );
          expect(outcome.results[0]?.error).toBeUndefined();

          const restored = harness.newDatabase();
          created.push(restored);
          await runRestore(
            { storage, key: outcome.key, target: restored.source, database: restored.name, options: { createDatabase: true } },
            {
              transforms, scratch: createLocalScratchSpace(join(workDir, 'scratch')), log: () => undefined,
              keyForFingerprint: async (fingerprint) => (fingerprint === fingerprintOf(profileKey) ? profileKey : undefined),
            },
          );
          const actual = await harness.snapshot(restored);
          expect(actual.schema).toEqual(expected.schema);
          expect(actual.rows).toEqual(expected.rows);
          expect(actual.sequences).toEqual(expected.sequences);
          await harness.drop(restored);
        });
      }
    }
  });
}
