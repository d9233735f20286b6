import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DatabaseSync, backup } from 'node:sqlite';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DBackupError, cancelledError, throwIfAborted } from '../../../core/errors.ts';
import type { DatabaseSource, DumpHandle, RestoreOptions, ServerInfo, SourceCallOptions, SqliteSourceConfig } from '../../../ports/source.port.ts';
import { sqliteDump } from './sqlite-dump.ts';
import { sqliteError } from './sqlite-errors.ts';
import { applySqliteDump, dropUserObjects, userObjects } from './sqlite-restore.ts';

export interface SqliteSourceDeps {
  /** Where the snapshot copy is made during a dump (needs room for one copy). Default: OS temp dir. */
  tempDir?: string;
  /** How long to wait for another connection's lock. Default 30 s. */
  busyTimeoutMs?: number;
}

/** All pages in one backup step: a step is one read transaction, so the copy is one snapshot. */
const ALL_PAGES = 2_147_483_647;
const STREAM_HIGH_WATER_MARK = 64 * 1024;

/**
 * One SQLite database file, dumped as SQL text with node:sqlite alone (no sqlite3 program needed).
 *
 * Dump: SQLite's online backup API copies the file into a private temporary snapshot in a single
 * step, on Node's thread pool; writers on other connections carry on (WAL mode) or wait at most
 * for the copy (rollback journal), never for the slower SQL generation and upload. The SQL is
 * then generated from the snapshot as the consumer reads; the snapshot is deleted when the stream
 * ends or is destroyed, so consumers must read the stream to the end or destroy it.
 *
 * Restore: the whole dump runs in one IMMEDIATE transaction with foreign key enforcement off;
 * any failure rolls everything back, and a file that restore created is deleted again.
 */
export function createSqliteSource(config: SqliteSourceConfig, deps: SqliteSourceDeps = {}): DatabaseSource {
  const path = resolve(config.path);
  const name = basename(path);
  const label = `SQLite file ${path}`;
  const busyTimeoutMs = deps.busyTimeoutMs ?? 30_000;

  const openExisting = (action: string, readOnly: boolean): DatabaseSync => {
    if (!existsSync(path)) {
      throw new DBackupError('not_found', `The SQLite database file ${path} does not exist. Check the path in the source settings.`);
    }
    try {
      return new DatabaseSync(path, { readOnly, timeout: busyTimeoutMs });
    } catch (error) {
      throw sqliteError(error, path, action);
    }
  };

  const checkName = (database: string): void => {
    if (database !== name) {
      throw new DBackupError('not_found', `This SQLite source holds one database, "${name}" (the file ${path}); "${database}" is not it.`);
    }
  };

  const testConnection = async (options: SourceCallOptions = {}): Promise<ServerInfo> => {
    throwIfAborted(options.signal);
    const db = openExisting('Opening the database', true);
    try {
      db.prepare('SELECT count(*) FROM sqlite_schema').get(); // reads page 1: refuses non-databases
      return { engine: 'sqlite', serverVersion: String(db.prepare('SELECT sqlite_version() AS v').get()?.v) };
    } catch (error) {
      throw sqliteError(error, path, 'Reading the database');
    } finally {
      db.close();
    }
  };

  return {
    engine: 'sqlite',
    displayName: label,
    testConnection,

    async listDatabases(options: SourceCallOptions = {}): Promise<string[]> {
      await testConnection(options);
      return [name];
    },

    async dump(database: string, options: SourceCallOptions = {}): Promise<DumpHandle> {
      const { signal } = options;
      checkName(database);
      throwIfAborted(signal);
      const dir = await mkdtemp(join(deps.tempDir ?? tmpdir(), 'dbk-sqlite-'));
      let snapshot: DatabaseSync;
      let version: string;
      try {
        const live = openExisting('Taking a snapshot', true);
        try {
          await backup(live, join(dir, 'snapshot.db'), { rate: ALL_PAGES });
        } catch (error) {
          throw sqliteError(error, path, 'Taking a snapshot');
        } finally {
          live.close();
        }
        throwIfAborted(signal);
        snapshot = new DatabaseSync(join(dir, 'snapshot.db'));
        version = String(snapshot.prepare('SELECT sqlite_version() AS v').get()?.v);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw sqliteError(error, path, 'Taking a snapshot');
      }

      async function* classified(): AsyncGenerator<string> {
        try {
          yield* sqliteDump(snapshot, signal);
        } catch (error) {
          throw sqliteError(error, path, 'Dumping');
        }
      }
      const stream = Readable.from(classified(), { objectMode: false, highWaterMark: STREAM_HIGH_WATER_MARK });
      stream.on('error', () => {}); // reported through `done` as well
      stream.once('close', () => {
        snapshot.close();
        void rm(dir, { recursive: true, force: true });
      });
      const onAbort = (): void => {
        stream.destroy(cancelledError(signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = finished(stream)
        .catch((error: unknown) => {
          throw error instanceof DBackupError ? error : cancelledError(error); // closed before its end
        })
        .finally(() => signal?.removeEventListener('abort', onAbort));
      done.catch(() => {});
      return { stream, done, engine: 'sqlite', serverVersion: version, tool: 'node:sqlite', toolVersion: version };
    },

    async restore(database, input, options: RestoreOptions = {}): Promise<void> {
      const { signal } = options;
      let created = false;
      let db: DatabaseSync | undefined;
      try {
        checkName(database);
        throwIfAborted(signal);
        created = !existsSync(path);
        if (created && !options.createDatabase) {
          created = false;
          throw new DBackupError('not_found', `The SQLite database file ${path} does not exist. Let the restore create it, or check the path.`);
        }
        db = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: false });
        db.exec('BEGIN IMMEDIATE');
        if (userObjects(db).length > 0) {
          if (!options.dropExisting) {
            throw new DBackupError(
              'conflict',
              `The SQLite database ${path} already holds tables or other objects. Restore into a new or empty file, or choose to replace the existing contents.`,
            );
          }
          dropUserObjects(db);
        }
        await applySqliteDump(db, input, signal);
        db.exec('COMMIT');
      } catch (error) {
        input.destroy();
        if (db?.isTransaction) db.exec('ROLLBACK');
        db?.close();
        db = undefined;
        if (created) await removeDatabaseFiles(path);
        throw sqliteError(error, path, 'Restoring');
      } finally {
        db?.close();
      }
    },
  };
}

async function removeDatabaseFiles(path: string): Promise<void> {
  for (const suffix of ['', '-journal', '-wal', '-shm']) await rm(`${path}${suffix}`, { force: true });
}
