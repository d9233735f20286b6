import type { Kysely, Selectable } from 'kysely';
import { Secret } from '../../../core/secret.ts';
import type {
  DestinationRecord,
  DestinationSecretName,
  DestinationSecrets,
  DestinationsRepository,
  JobRef,
} from '../../../ports/metadata-store.port.ts';
import { newId } from '../ids.ts';
import type { DestinationsTable, StoreSchema } from '../schema.ts';
import { DESTINATION_SECRETS } from '../secret-fields.ts';
import { atomically, conflict, invalidInput, iso, notFound, toDate, type RepositoryContext } from './common.ts';

const SECRET_NAMES: readonly DestinationSecretName[] = ['appKey', 'appSecret', 'refreshToken'];

export function createDestinationsRepository(ctx: RepositoryContext): DestinationsRepository {
  // All secrets of a destination are sealed together as one JSON object.
  const sealSecrets = (id: string, secrets: DestinationSecrets): string | null => {
    const plain: Record<string, string> = {};
    for (const name of SECRET_NAMES) {
      const value = secrets[name];
      if (value !== undefined) plain[name] = value.reveal();
    }
    return Object.keys(plain).length === 0 ? null : ctx.box().seal(JSON.stringify(plain), DESTINATION_SECRETS.context(id));
  };

  const openSecrets = (row: Selectable<DestinationsTable>): DestinationSecrets => {
    if (row.secrets_enc === null) return {};
    const plain = JSON.parse(ctx.box().open(row.secrets_enc, DESTINATION_SECRETS.context(row.id))) as Record<string, string>;
    const secrets: DestinationSecrets = {};
    for (const name of SECRET_NAMES) {
      const value = plain[name];
      if (value !== undefined) secrets[name] = new Secret(value);
    }
    return secrets;
  };

  const toRecord = (row: Selectable<DestinationsTable>): DestinationRecord => ({
    id: row.id,
    type: row.type as DestinationRecord['type'],
    name: row.name,
    config: JSON.parse(row.config_json) as DestinationRecord['config'],
    secrets: openSecrets(row),
    authorization:
      row.account_id === null || row.authorized_at === null
        ? undefined
        : { accountId: row.account_id, accountName: row.account_name ?? '', authorizedAt: toDate(row.authorized_at) },
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  });

  const getRow = (db: Kysely<StoreSchema>, id: string) =>
    db.selectFrom('destinations').selectAll().where('id', '=', id).executeTakeFirst();

  const requireRow = async (db: Kysely<StoreSchema>, id: string) => {
    const row = await getRow(db, id);
    if (row === undefined) throw notFound('Destination', id);
    return row;
  };

  const usedBy = (db: Kysely<StoreSchema>, id: string): Promise<JobRef[]> =>
    db
      .selectFrom('job_destinations')
      .innerJoin('jobs', 'jobs.id', 'job_destinations.job_id')
      .select(['jobs.id as id', 'jobs.name as name'])
      .where('job_destinations.destination_id', '=', id)
      .orderBy('jobs.name')
      .execute();

  return {
    async create({ type, name, config = {}, secrets = {} }) {
      if (name.trim() === '') throw invalidInput('Enter a name for the destination.');
      const id = newId();
      const now = iso(ctx.now());
      const row: Selectable<DestinationsTable> = {
        id,
        type,
        name: name.trim(),
        config_json: JSON.stringify(config),
        secrets_enc: sealSecrets(id, secrets),
        account_id: null,
        account_name: null,
        authorized_at: null,
        created_at: now,
        updated_at: now,
      };
      await ctx.db().insertInto('destinations').values(row).execute();
      return toRecord(row);
    },

    async get(id) {
      const row = await getRow(ctx.db(), id);
      return row === undefined ? undefined : toRecord(row);
    },

    async list() {
      const rows = await ctx.db().selectFrom('destinations').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toRecord);
    },

    update(id, patch) {
      return atomically(ctx.db(), async (db) => {
        const row = await requireRow(db, id);
        if (patch.name !== undefined && patch.name.trim() === '') throw invalidInput('Enter a name for the destination.');
        const secrets = { ...openSecrets(row) };
        for (const name of SECRET_NAMES) {
          const value = patch.secrets?.[name];
          if (value === null) delete secrets[name];
          else if (value !== undefined) secrets[name] = value;
        }
        const next: Selectable<DestinationsTable> = {
          ...row,
          name: patch.name?.trim() ?? row.name,
          config_json: patch.config === undefined ? row.config_json : JSON.stringify(patch.config),
          secrets_enc: sealSecrets(id, secrets),
          updated_at: iso(ctx.now()),
        };
        await db.updateTable('destinations').set(next).where('id', '=', id).execute();
        return toRecord(next);
      });
    },

    setAuthorization(id, { refreshToken, accountId, accountName }) {
      return atomically(ctx.db(), async (db) => {
        const row = await requireRow(db, id);
        const secrets = openSecrets(row);
        const previousRefreshToken = secrets.refreshToken;
        const now = iso(ctx.now());
        const next: Selectable<DestinationsTable> = {
          ...row,
          secrets_enc: sealSecrets(id, { ...secrets, refreshToken }),
          account_id: accountId,
          account_name: accountName,
          authorized_at: now,
          updated_at: now,
        };
        await db.updateTable('destinations').set(next).where('id', '=', id).execute();
        return { destination: toRecord(next), previousRefreshToken };
      });
    },

    clearAuthorization(id) {
      return atomically(ctx.db(), async (db) => {
        const row = await requireRow(db, id);
        const secrets = { ...openSecrets(row) };
        delete secrets.refreshToken;
        const next: Selectable<DestinationsTable> = {
          ...row,
          secrets_enc: sealSecrets(id, secrets),
          account_id: null,
          account_name: null,
          authorized_at: null,
          updated_at: iso(ctx.now()),
        };
        await db.updateTable('destinations').set(next).where('id', '=', id).execute();
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
            `This destination is used by ${jobs.map((j) => `"${j.name}"`).join(', ')}. Remove it from ${jobs.length === 1 ? 'that job' : 'those jobs'} first.`,
            { jobs },
          );
        }
        await db.deleteFrom('destinations').where('id', '=', id).execute();
      });
    },
  };
}
