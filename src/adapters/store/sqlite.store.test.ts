import type { Kysely } from 'kysely';
import { createKyselyMetadataStore } from './kysely.store.ts';
import { migrateToLatest } from './migrations/migrate.ts';
import type { StoreSchema } from './schema.ts';
import { openSqliteKysely } from './sqlite/open-sqlite.ts';
import { describeMetadataStore } from './test-suite/store.suite.ts';

describeMetadataStore({
  name: 'SQLite (node:sqlite, in memory)',
  async create(box, clock) {
    const raw = openSqliteKysely<StoreSchema>({ filename: ':memory:' });
    await migrateToLatest(raw as unknown as Kysely<unknown>);
    return { raw, store: createKyselyMetadataStore({ db: raw, secretBox: box, dialect: 'sqlite', now: clock.now }) };
  },
  dispose: (store) => store.close(),
});
