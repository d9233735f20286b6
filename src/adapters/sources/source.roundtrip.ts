import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DBackupError } from '../../core/errors.ts';
import type { DatabaseEngine, DatabaseSource } from '../../ports/source.port.ts';

/** A database the suite created, reachable through `source` under `name`. */
export interface TestDatabase {
  source: DatabaseSource;
  name: string;
}

/** Comparable picture of a database: equal snapshots mean equal databases. */
export interface DatabaseSnapshot {
  /** Normalised catalog rows (tables, columns, constraints, indexes, views, routines, triggers…). */
  schema: Record<string, unknown>;
  /** Per table: row count and a hash over every row. */
  rows: Record<string, { count: number; hash: string }>;
  /** Sequence / auto-increment positions, by name. */
  sequences: Record<string, string>;
}

/** What one engine provides so the shared suite can run against it. */
export interface RoundTripHarness {
  /** Engines `testConnection` may report, e.g. `['mysql', 'mariadb']`. */
  engines: readonly DatabaseEngine[];
  /** Why the service cannot be used, or `undefined` when it can. */
  unavailable(): Promise<string | undefined>;
  /** A new, empty database with a unique `dbk_it_` name. */
  createDatabase(): Promise<TestDatabase>;
  /** Where a not-yet-existing database would live (for restores that create it). */
  newDatabase(): TestDatabase;
  /** Whether `database` exists. */
  exists(database: TestDatabase): Promise<boolean>;
  drop(database: TestDatabase): Promise<void>;
  /** Loads the engine's fixture: unicode, binary, large values, NULLs, views, routines… */
  fill(database: TestDatabase): Promise<void>;
  snapshot(database: TestDatabase): Promise<DatabaseSnapshot>;
  /**
   * Uses the database's behaviour (fires a trigger, calls a function, draws a sequence value) and
   * returns what it observed; throws when something that must work does not.
   */
  exercise(database: TestDatabase): Promise<unknown>;
}

/**
 * The one backup → restore round-trip suite every source runs against a real database. With
 * CI=true a missing service fails the suite instead of skipping it.
 */
export function roundTripSuite(title: string, harness: RoundTripHarness, unavailable: string | undefined): void {
  if (unavailable !== undefined) {
    if (process.env.CI === 'true') {
      describe(title, () => {
        it('has its database service available (required when CI=true)', () => {
          throw new Error(`${title}: ${unavailable}`);
        });
      });
    } else {
      describe.skip(`${title} (skipped: ${unavailable})`, () => {
        it('needs the database service', () => {});
      });
    }
    return;
  }

  describe(title, () => {
    const created: TestDatabase[] = [];
    let workDir = '';
    let original: TestDatabase;
    let dumpFile = '';
    /** The original as dumped (tests below exercise the original, which changes it). */
    let dumped: DatabaseSnapshot;

    const track = (database: TestDatabase): TestDatabase => {
      created.push(database);
      return database;
    };

    beforeAll(async () => {
      workDir = mkdtempSync(join(tmpdir(), 'dbk-roundtrip-'));
      original = track(await harness.createDatabase());
      await harness.fill(original);
      dumpFile = join(workDir, 'original.sql');
      const dump = await original.source.dump(original.name);
      await pipeline(dump.stream, createWriteStream(dumpFile));
      await dump.done;
      dumped = await harness.snapshot(original);
    });

    afterAll(async () => {
      for (const database of created) await harness.drop(database).catch(() => {});
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('reports the engine and server version', async () => {
      const info = await original.source.testConnection();
      expect(harness.engines).toContain(info.engine);
      expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    });

    it('lists the database', async () => {
      expect(await original.source.listDatabases()).toContain(original.name);
    });

    it('restores a dump into another database that equals the original', async () => {
      const restored = track(harness.newDatabase());
      await restored.source.restore(restored.name, createReadStream(dumpFile), { createDatabase: true });

      const [before, after] = [dumped, await harness.snapshot(restored)];
      expect(Object.keys(before.rows).length).toBeGreaterThanOrEqual(3);
      expect(Object.values(before.rows).some((table) => table.count > 0)).toBe(true);
      expect(Object.keys(before.sequences).length).toBeGreaterThan(0);
      expect(after.schema).toEqual(before.schema);
      expect(after.rows).toEqual(before.rows);
      expect(after.sequences).toEqual(before.sequences);

      // The same actions on both give the same observations: triggers, routines and sequences work.
      expect(await harness.exercise(restored)).toEqual(await harness.exercise(original));
    });

    it('reports its tool and version with the dump', async () => {
      const dump = await original.source.dump(original.name);
      dump.stream.resume();
      await dump.done;
      expect(dump.tool.length).toBeGreaterThan(0);
      expect(dump.toolVersion).toMatch(/^\d+\.\d+/);
      expect(harness.engines).toContain(dump.engine);
    });

    it('refuses to restore over a database that holds objects, and replaces it when asked', async () => {
      const target = track(await harness.createDatabase());
      await harness.fill(target);
      await harness.exercise(target); // now it differs from the dump
      const error = await rejection(target.source.restore(target.name, createReadStream(dumpFile)));
      expect(error.code).toBe('conflict');

      await target.source.restore(target.name, createReadStream(dumpFile), { dropExisting: true });
      expect(await harness.snapshot(target)).toEqual(dumped);
    });

    it('restores into an existing empty database', async () => {
      const target = track(await harness.createDatabase());
      await target.source.restore(target.name, createReadStream(dumpFile));
      expect(await harness.snapshot(target)).toEqual(dumped);
    });

    it('does not create a missing database unless asked', async () => {
      const target = harness.newDatabase();
      const error = await rejection(target.source.restore(target.name, createReadStream(dumpFile)));
      expect(error.code).toBe('not_found');
      expect(await harness.exists(target)).toBe(false);
    });

    it('refuses a truncated dump and leaves no database behind', async () => {
      const size = statSync(dumpFile).size;
      const target = track(harness.newDatabase());
      const truncated = createReadStream(dumpFile, { end: Math.floor(size * 0.9) });
      const error = await rejection(target.source.restore(target.name, truncated, { createDatabase: true }));
      expect(error.code).toBe('integrity');
      expect(await harness.exists(target)).toBe(false);
    });

    it('fails the restore with the input error when the input breaks', async () => {
      const target = track(harness.newDatabase());
      const broken = new DBackupError('integrity', 'authentication tag mismatch');
      const input = Readable.from(
        (async function* () {
          for await (const chunk of createReadStream(dumpFile, { end: 256 * 1024 })) yield chunk;
          throw broken;
        })(),
      );
      const error = await rejection(target.source.restore(target.name, input, { createDatabase: true }));
      expect(error).toBe(broken);
      expect(await harness.exists(target)).toBe(false);
    });

    it('reports a missing database on dump', async () => {
      const missing = harness.newDatabase();
      const error = await rejection(missing.source.dump(missing.name));
      expect(error.code).toBe('not_found');
    });

    it('stops the dump when cancelled', async () => {
      const controller = new AbortController();
      const dump = await original.source.dump(original.name, { signal: controller.signal });
      dump.stream.once('data', () => controller.abort());
      const error = await rejection(pipeline(dump.stream, createWriteStream(join(workDir, 'cancelled.sql'))));
      expect(error.code).toBe('cancelled');
      expect((await rejection(dump.done)).code).toBe('cancelled');
    });
  });
}

export async function rejection(promise: Promise<unknown>): Promise<DBackupError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DBackupError) return error;
    throw error;
  }
  throw new Error('expected the operation to fail');
}

/** `dbk_it_` + random suffix: unique per run, recognisable for cleanup by hand. */
export function uniqueDatabaseName(): string {
  return `dbk_it_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
