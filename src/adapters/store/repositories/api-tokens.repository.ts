import type { Selectable } from 'kysely';
import type { ApiToken, ApiTokensRepository } from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import { newId } from '../ids.ts';
import type { ApiTokensTable } from '../schema.ts';
import { conflict, invalidInput, iso, notFound, toDate, toOptionalDate, type RepositoryContext } from './common.ts';

export function createApiTokensRepository(ctx: RepositoryContext): ApiTokensRepository {
  return {
    async create({ userId, name, tokenHash, prefix }) {
      if (name.trim() === '') throw invalidInput('Give the API token a name so you can recognise it later.');
      const row = { id: newId(), user_id: userId, name: name.trim(), token_hash: tokenHash, prefix, created_at: iso(ctx.now()), last_used_at: null };
      try {
        await ctx.db().insertInto('api_tokens').values(row).execute();
      } catch (error) {
        const kind = constraintKind(error);
        if (kind === 'foreign_key') throw notFound('User', userId);
        if (kind === 'unique') throw conflict('This token is already registered; generate a new one.');
        throw error;
      }
      return toApiToken(row);
    },

    async findByHash(tokenHash) {
      const row = await ctx.db().selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row === undefined ? undefined : toApiToken(row);
    },

    async list(userId) {
      const rows = await ctx.db().selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toApiToken);
    },

    async markUsed(id) {
      await ctx.db().updateTable('api_tokens').set({ last_used_at: iso(ctx.now()) }).where('id', '=', id).execute();
    },

    async delete(id, userId) {
      const result = await ctx.db().deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: toDate(row.created_at),
    lastUsedAt: toOptionalDate(row.last_used_at),
  };
}
