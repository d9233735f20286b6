import type { SettingsRepository } from '../../../ports/metadata-store.port.ts';
import { iso, type RepositoryContext } from './common.ts';

export function createSettingsRepository(ctx: RepositoryContext): SettingsRepository {
  return {
    async get(key) {
      const row = await ctx.db().selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },

    async set(key, value) {
      const updatedAt = iso(ctx.now());
      await ctx.db()
        .insertInto('settings')
        .values({ key, value, updated_at: updatedAt })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: updatedAt }))
        .execute();
    },

    async delete(key) {
      await ctx.db().deleteFrom('settings').where('key', '=', key).execute();
    },

    async list(prefix = '') {
      // The table is tiny; filtering here avoids LIKE escaping and collation-dependent ranges.
      const rows = await ctx.db().selectFrom('settings').select(['key', 'value']).orderBy('key').execute();
      return Object.fromEntries(rows.filter((r) => r.key.startsWith(prefix)).map((r) => [r.key, r.value]));
    },
  };
}
