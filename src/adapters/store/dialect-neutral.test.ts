/**
 * The claim "the same SQL runs on SQLite and PostgreSQL", checked without a PostgreSQL server:
 * every migration and a broad sample of repository queries are compiled by Kysely's PostgreSQL
 * and SQLite compilers (DummyDriver: nothing executes) and must produce the same statements,
 * differing only in parameter placeholders. The integration test then runs them for real.
 */
import { randomBytes } from 'node:crypto';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DialectAdapter,
  type QueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.ts';
import { createAesGcmSecretBox } from '../secrets/aes-gcm.secret-box.ts';
import { createKyselyMetadataStore } from './kysely.store.ts';
import { MIGRATIONS } from './migrations/migrate.ts';
import type { StoreSchema } from './schema.ts';
import { createFakeClock } from './test-suite/harness.ts';

type Flavour = 'postgres' | 'sqlite';

function recordingDb(flavour: Flavour, statements: string[]): Kysely<StoreSchema> {
  return new Kysely<StoreSchema>({
    dialect: {
      createAdapter: (): DialectAdapter => (flavour === 'postgres' ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => (flavour === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db)),
      createQueryCompiler: (): QueryCompiler => (flavour === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
    log: (event) => {
      if (event.level === 'query') statements.push(event.query.sql);
    },
  });
}

async function compileMigrations(flavour: Flavour): Promise<string[]> {
  const statements: string[] = [];
  const db = recordingDb(flavour, statements);
  for (const name of Object.keys(MIGRATIONS).sort()) await MIGRATIONS[name]!.up(db as unknown as Kysely<unknown>);
  return statements;
}

/** Calls a sample of repository methods; results are empty, so many throw — only the SQL matters. */
async function compileRepositoryQueries(flavour: Flavour): Promise<string[]> {
  const statements: string[] = [];
  const box = createAesGcmSecretBox(randomBytes(32));
  const store = createKyselyMetadataStore({ db: recordingDb(flavour, statements), secretBox: box, dialect: flavour, now: createFakeClock().now });
  const attempts: Array<() => Promise<unknown>> = [
    () => store.users.create({ username: 'u', passwordHash: 'h' }),
    () => store.users.findByUsername('U'),
    () => store.users.count(),
    () => store.sessions.findActive('h'),
    () => store.sessions.touch('h', new Date()),
    () => store.sessions.deleteExpired(),
    () => store.apiTokens.markUsed('id'),
    () => store.oauthStates.create({ state: 's', userId: 'u', destinationId: 'd', codeVerifier: new Secret('v'), redirectUri: 'r' }),
    () => store.oauthStates.consume('s', 'u'),
    () => store.destinations.list(),
    () => store.destinations.create({ type: 'dropbox', name: 'n', secrets: { appKey: new Secret('k') } }),
    () => store.destinations.delete('d'),
    () => store.sources.update('s', { name: 'x' }),
    () => store.encryptionProfiles.usage('p'),
    () => store.encryptionProfiles.rename('p', 'x'),
    () => store.jobs.list(),
    () => store.jobs.findByFolderName('Folder'),
    () => store.jobs.create({ name: 'j', folderName: 'f', sourceId: 's', destinationIds: ['d'] }),
    () => store.runs.create({ jobId: 'j', trigger: 'manual' }),
    () => store.runs.list({ jobId: 'j', statuses: ['running', 'queued'], since: new Date(), before: new Date(), limit: 5 }),
    () => store.runs.latestPerJob(),
    () => store.runs.update('r', { status: 'running', bytes: 1, startedAt: new Date() }),
    () => store.runs.appendLog('r', 'info', 'm'),
    () => store.runs.logs('r', { afterSeq: 3 }),
    () => store.runs.markUnfinishedRunsInterrupted(),
    () => store.backups.record({ destinationId: 'd', key: 'k', size: 1, createdAt: new Date(), compression: 'gzip' }),
    () => store.backups.list({ jobId: 'j', limit: 3 }),
    () => store.restores.create({ destinationId: 'd', key: 'k', sourceId: 's', sourceName: 'n', database: 'db', options: { createDatabase: true, dropExisting: false, skipOwnership: false } }),
    () => store.restores.list({ statuses: ['running'], before: new Date(), limit: 5 }),
    () => store.restores.update('r', { stage: 'restoring', bytes: 1 }),
    () => store.restores.appendLog('r', 'info', 'm'),
    () => store.restores.logs(['r', 's']),
    () => store.restores.markRunningInterrupted(() => 'm', () => true),
    () => store.settings.set('k', 'v'),
    () => store.settings.list('p'),
    () => store.reencryptSecrets(createAesGcmSecretBox(randomBytes(32))),
  ];
  for (const attempt of attempts) await attempt().catch(() => undefined);
  return statements;
}

const SQLITE_ONLY = /\b(autoincrement|pragma|collate|without rowid|glob|ifnull|strftime|julianday|insert or)\b/i;

describe('dialect-neutral SQL', () => {
  it('every migration compiles to identical DDL for PostgreSQL and SQLite, using only shared types', async () => {
    const pg = await compileMigrations('postgres');
    const lite = await compileMigrations('sqlite');
    expect(pg.length).toBeGreaterThan(20);
    expect(pg).toEqual(lite);
    for (const statement of pg) expect(statement).not.toMatch(SQLITE_ONLY);
    const types = new Set(
      // Column definitions: `("name" type` or `, "name" type` inside CREATE TABLE.
      pg.filter((s) => s.startsWith('create table')).flatMap((s) => [...s.matchAll(/[(,] "[a-z_]+" (double precision|[a-z]+)/g)].map((m) => m[1])),
    );
    expect([...types].sort()).toEqual(['bigint', 'double precision', 'integer', 'text']);
  });

  it('repository queries compile to the same statements on both, up to parameter placeholders', async () => {
    const pg = await compileRepositoryQueries('postgres');
    const lite = await compileRepositoryQueries('sqlite');
    expect(pg.length).toBeGreaterThan(30);
    expect(pg.map((s) => s.replace(/\$\d+/g, '?'))).toEqual(lite);
    for (const statement of pg) {
      expect(statement).not.toMatch(SQLITE_ONLY);
      expect(statement).not.toContain('?');
    }
    // RETURNING and ON CONFLICT are in the sample (both databases support them).
    expect(pg.some((s) => /returning/i.test(s))).toBe(true);
    expect(pg.some((s) => /on conflict/i.test(s))).toBe(true);
  });
});
