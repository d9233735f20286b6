import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { DBackupError } from '../../../core/errors.ts';
import { Secret } from '../../../core/secret.ts';
import { OAUTH_STATE_TTL_MS, type OAuthState, type OAuthStateRefusal, type OAuthStatesRepository } from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import type { OAuthStatesTable } from '../schema.ts';
import { OAUTH_CODE_VERIFIER } from '../secret-fields.ts';
import { iso, notFound, toDate, type RepositoryContext } from './common.ts';

// The state travels through the browser; storing only its hash keeps a database leak from
// completing someone's pending authorization.
const stateHash = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

const REFUSALS: Readonly<Record<OAuthStateRefusal, string>> = {
  unknown: 'This authorization link is not valid or was already used. Click "Authorize with Dropbox" again.',
  expired: 'This authorization took longer than 10 minutes and expired. Click "Authorize with Dropbox" again.',
  other_user: 'This authorization was started by another DBackup account. Sign in as that account or start the authorization again.',
};

export function createOAuthStatesRepository(ctx: RepositoryContext): OAuthStatesRepository {
  const refuse = (reason: OAuthStateRefusal) =>
    new DBackupError('invalid_input', REFUSALS[reason], { retryable: false, details: { reason } });

  const toState = (row: Selectable<OAuthStatesTable>): OAuthState => ({
    userId: row.user_id,
    destinationId: row.destination_id,
    codeVerifier: new Secret(ctx.box().open(row.code_verifier_enc, OAUTH_CODE_VERIFIER.context(row.state_hash))),
    redirectUri: row.redirect_uri,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
  });

  return {
    async create({ state, userId, destinationId, codeVerifier, redirectUri, ttlMs = OAUTH_STATE_TTL_MS }) {
      const now = ctx.now();
      const hash = stateHash(state);
      const row = {
        state_hash: hash,
        user_id: userId,
        destination_id: destinationId,
        code_verifier_enc: ctx.box().seal(codeVerifier.reveal(), OAUTH_CODE_VERIFIER.context(hash)),
        redirect_uri: redirectUri,
        created_at: iso(now),
        expires_at: iso(new Date(now.getTime() + ttlMs)),
      };
      try {
        await ctx.db().insertInto('oauth_states').values(row).execute();
      } catch (error) {
        if (constraintKind(error) === 'foreign_key') {
          const user = await ctx.db().selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
          throw user === undefined ? notFound('User', userId) : notFound('Destination', destinationId);
        }
        throw error;
      }
      return toState(row);
    },

    async consume(state, userId) {
      const hash = stateHash(state);
      // DELETE … RETURNING is the single-use guarantee: of two concurrent callbacks with the same
      // state, exactly one gets the row back.
      const row = await ctx.db()
        .deleteFrom('oauth_states')
        .where('state_hash', '=', hash)
        .where('user_id', '=', userId)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) {
        const other = await ctx.db().selectFrom('oauth_states').select('user_id').where('state_hash', '=', hash).executeTakeFirst();
        throw refuse(other === undefined ? 'unknown' : 'other_user');
      }
      if (row.expires_at <= iso(ctx.now())) throw refuse('expired');
      return toState(row);
    },

    async deleteExpired() {
      const result = await ctx.db().deleteFrom('oauth_states').where('expires_at', '<=', iso(ctx.now())).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
