import type { Selectable } from 'kysely';
import type { User, UsersRepository } from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import { newId } from '../ids.ts';
import type { UsersTable } from '../schema.ts';
import { conflict, invalidInput, iso, notFound, toDate, toNumber, type RepositoryContext } from './common.ts';

const usernameKey = (username: string): string => username.normalize('NFC').toLowerCase();

export function createUsersRepository(ctx: RepositoryContext): UsersRepository {
  return {
    async create({ username, passwordHash }) {
      const name = username.trim();
      if (name === '') throw invalidInput('Enter a username.');
      const now = iso(ctx.now());
      const row = { id: newId(), username: name, username_key: usernameKey(name), password_hash: passwordHash, created_at: now, updated_at: now };
      try {
        await ctx.db().insertInto('users').values(row).execute();
      } catch (error) {
        if (constraintKind(error) === 'unique') throw conflict(`The username "${name}" is already taken.`, { field: 'username' });
        throw error;
      }
      return toUser(row);
    },

    async get(id) {
      const row = await ctx.db().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toUser(row);
    },

    async findByUsername(username) {
      const row = await ctx.db().selectFrom('users').selectAll().where('username_key', '=', usernameKey(username.trim())).executeTakeFirst();
      return row === undefined ? undefined : toUser(row);
    },

    async count() {
      const row = await ctx.db().selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return toNumber(row.n as number | string);
    },

    async list() {
      const rows = await ctx.db().selectFrom('users').selectAll().orderBy('username_key').execute();
      return rows.map(toUser);
    },

    async updatePasswordHash(id, passwordHash) {
      const result = await ctx.db()
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: iso(ctx.now()) })
        .where('id', '=', id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw notFound('User', id);
    },

    async delete(id) {
      const result = await ctx.db().deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
