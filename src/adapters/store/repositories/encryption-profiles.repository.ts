import type { Kysely, Selectable } from 'kysely';
import { Secret } from '../../../core/secret.ts';
import type { EncryptionProfile, EncryptionProfileUsage, EncryptionProfilesRepository } from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import { newId } from '../ids.ts';
import type { EncryptionProfilesTable, StoreSchema } from '../schema.ts';
import { PROFILE_KEY } from '../secret-fields.ts';
import { atomically, conflict, invalidInput, iso, notFound, toDate, toNumber, type RepositoryContext } from './common.ts';

export function createEncryptionProfilesRepository(ctx: RepositoryContext): EncryptionProfilesRepository {
  const toProfile = (row: Selectable<EncryptionProfilesTable>): EncryptionProfile => ({
    id: row.id,
    name: row.name,
    fingerprint: row.fingerprint,
    key: new Secret(ctx.box().open(row.key_enc, PROFILE_KEY.context(row.id))),
    createdAt: toDate(row.created_at),
  });

  const usage = async (db: Kysely<StoreSchema>, id: string): Promise<EncryptionProfileUsage> => {
    const jobs = await db.selectFrom('jobs').select(['id', 'name']).where('encryption_profile_id', '=', id).orderBy('name').execute();
    const count = await db
      .selectFrom('backups')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('encryption_profile_id', '=', id)
      .executeTakeFirstOrThrow();
    return { jobs, backups: toNumber(count.n as number | string) };
  };

  return {
    async create({ name, fingerprint, key }) {
      if (name.trim() === '') throw invalidInput('Enter a name for the encryption profile.');
      const id = newId();
      const row = { id, name: name.trim(), fingerprint, key_enc: ctx.box().seal(key.reveal(), PROFILE_KEY.context(id)), created_at: iso(ctx.now()) };
      try {
        await ctx.db().insertInto('encryption_profiles').values(row).execute();
      } catch (error) {
        if (constraintKind(error) === 'unique') throw conflict(`An encryption profile with fingerprint ${fingerprint} already exists.`, { fingerprint });
        throw error;
      }
      return toProfile(row);
    },

    async get(id) {
      const row = await ctx.db().selectFrom('encryption_profiles').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toProfile(row);
    },

    async findByFingerprint(fingerprint) {
      const row = await ctx.db().selectFrom('encryption_profiles').selectAll().where('fingerprint', '=', fingerprint).executeTakeFirst();
      return row === undefined ? undefined : toProfile(row);
    },

    async list() {
      const rows = await ctx.db().selectFrom('encryption_profiles').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toProfile);
    },

    async rename(id, name) {
      if (name.trim() === '') throw invalidInput('Enter a name for the encryption profile.');
      const row = await ctx.db()
        .updateTable('encryption_profiles')
        .set({ name: name.trim() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw notFound('Encryption profile', id);
      return toProfile(row);
    },

    usage(id) {
      return usage(ctx.db(), id);
    },

    delete(id) {
      return atomically(ctx.db(), async (db) => {
        const used = await usage(db, id);
        if (used.jobs.length > 0 || used.backups > 0) {
          const parts = [
            used.jobs.length > 0 ? `job${used.jobs.length === 1 ? '' : 's'} ${used.jobs.map((j) => `"${j.name}"`).join(', ')}` : '',
            used.backups > 0 ? `${used.backups} stored backup${used.backups === 1 ? '' : 's'}` : '',
          ].filter((p) => p !== '');
          throw conflict(
            `This encryption profile is still used by ${parts.join(' and ')}. Without its key those backups cannot be decrypted; ` +
              'switch the jobs to another profile and remove those backups first.',
            { jobs: used.jobs, backups: used.backups },
          );
        }
        await db.deleteFrom('encryption_profiles').where('id', '=', id).execute();
      });
    },
  };
}
