import type { Kysely, Selectable } from 'kysely';
import { Secret } from '../../../core/secret.ts';
import type { JobRef, SourceRecord, SourcesRepository } from '../../../ports/metadata-store.port.ts';
import { newId } from '../ids.ts';
import type { SourcesTable, StoreSchema } from '../schema.ts';
import { SOURCE_PASSWORD } from '../secret-fields.ts';
import { atomically, conflict, invalidInput, iso, notFound, orUndefined, toDate, type RepositoryContext } from './common.ts';

export function createSourcesRepository(ctx: RepositoryContext): SourcesRepository {
  const seal = (id: string, password: Secret | undefined): string | null =>
    password === undefined ? null : ctx.box().seal(password.reveal(), SOURCE_PASSWORD.context(id));

  const toRecord = (row: Selectable<SourcesTable>): SourceRecord => ({
    id: row.id,
    type: row.type as SourceRecord['type'],
    name: row.name,
    host: orUndefined(row.host),
    port: orUndefined(row.port),
    username: orUndefined(row.username),
    password: row.password_enc === null ? undefined : new Secret(ctx.box().open(row.password_enc, SOURCE_PASSWORD.context(row.id))),
    sqlitePath: orUndefined(row.sqlite_path),
    options: JSON.parse(row.options_json) as Record<string, unknown>,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  });

  const usedBy = (db: Kysely<StoreSchema>, id: string): Promise<JobRef[]> =>
    db.selectFrom('jobs').select(['id', 'name']).where('source_id', '=', id).orderBy('name').execute();

  return {
    async create(input) {
      if (input.name.trim() === '') throw invalidInput('Enter a name for the source.');
      const id = newId();
      const now = iso(ctx.now());
      const row: Selectable<SourcesTable> = {
        id,
        type: input.type,
        name: input.name.trim(),
        host: input.host ?? null,
        port: input.port ?? null,
        username: input.username ?? null,
        password_enc: seal(id, input.password),
        sqlite_path: input.sqlitePath ?? null,
        options_json: JSON.stringify(input.options ?? {}),
        created_at: now,
        updated_at: now,
      };
      await ctx.db().insertInto('sources').values(row).execute();
      return toRecord(row);
    },

    async get(id) {
      const row = await ctx.db().selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async list() {
      const rows = await ctx.db().selectFrom('sources').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toRecord);
    },

    update(id, patch) {
      return atomically(ctx.db(), async (db) => {
        const row = await db.selectFrom('sources').selectAll().where('id', '=', id).executeTakeFirst();
        if (row === undefined) throw notFound('Source', id);
        if (patch.name !== undefined && patch.name.trim() === '') throw invalidInput('Enter a name for the source.');
        const keep = <T>(value: T | null | undefined, current: T | null): T | null => (value === undefined ? current : value);
        const next: Selectable<SourcesTable> = {
          ...row,
          name: patch.name?.trim() ?? row.name,
          host: keep(patch.host, row.host),
          port: keep(patch.port, row.port),
          username: keep(patch.username, row.username),
          password_enc:
            patch.password === undefined ? row.password_enc : patch.password === null ? null : seal(id, patch.password),
          sqlite_path: keep(patch.sqlitePath, row.sqlite_path),
          options_json: patch.options === undefined ? row.options_json : JSON.stringify(patch.options),
          updated_at: iso(ctx.now()),
        };
        await db.updateTable('sources').set(next).where('id', '=', id).execute();
        return toRecord(next);
      });
    },

    usedBy(id) {
      return usedBy(ctx.db(), id);
    },

    delete(id) {
      return atomically(ctx.db(), async (db) => {
        const jobs = await usedBy(db, id);
        if (jobs.length > 0) {
          throw conflict(
            `This source is used by ${jobs.map((j) => `"${j.name}"`).join(', ')}. Delete ${jobs.length === 1 ? 'that job' : 'those jobs'} or point ${jobs.length === 1 ? 'it' : 'them'} at another source first.`,
            { jobs },
          );
        }
        await db.deleteFrom('sources').where('id', '=', id).execute();
      });
    },
  };
}
