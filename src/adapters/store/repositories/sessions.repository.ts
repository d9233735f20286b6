import type { Selectable } from 'kysely';
import type { Session, SessionsRepository } from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import type { SessionsTable } from '../schema.ts';
import { iso, notFound, toDate, type RepositoryContext } from './common.ts';

export function createSessionsRepository(ctx: RepositoryContext): SessionsRepository {
  return {
    async create({ idHash, userId, csrfToken, expiresAt }) {
      const now = iso(ctx.now());
      const row = { id_hash: idHash, user_id: userId, csrf_token: csrfToken, created_at: now, last_seen_at: now, expires_at: iso(expiresAt) };
      try {
        await ctx.db().insertInto('sessions').values(row).execute();
      } catch (error) {
        if (constraintKind(error) === 'foreign_key') throw notFound('User', userId);
        throw error;
      }
      return toSession(row);
    },

    async findActive(idHash) {
      const row = await ctx.db()
        .selectFrom('sessions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('expires_at', '>', iso(ctx.now()))
        .executeTakeFirst();
      return row === undefined ? undefined : toSession(row);
    },

    async touch(idHash, expiresAt) {
      await ctx.db()
        .updateTable('sessions')
        .set({ expires_at: iso(expiresAt), last_seen_at: iso(ctx.now()) })
        .where('id_hash', '=', idHash)
        .execute();
    },

    async delete(idHash) {
      await ctx.db().deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    async deleteForUser(userId) {
      const result = await ctx.db().deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteExpired() {
      const result = await ctx.db().deleteFrom('sessions').where('expires_at', '<=', iso(ctx.now())).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: toDate(row.created_at),
    lastSeenAt: toDate(row.last_seen_at),
    expiresAt: toDate(row.expires_at),
  };
}
