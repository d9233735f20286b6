import { DBackupError } from '../../../core/errors.ts';
import type { Clock } from '../../../ports/clock.port.ts';
import type { Repositories } from '../../../ports/metadata-store.port.ts';
import type { PasswordHasher } from '../../../ports/password-hasher.port.ts';
import { generateApiToken, generateSessionToken, hashToken, looksLikeApiToken } from '../../../core/tokens.ts';
import { csrfTokenFor } from '../csrf.ts';
import type { Principal } from '../router.ts';
import type { AccountsService, ApiTokenView, SignedIn } from './services.ts';

export interface AccountsServiceOptions {
  store: Pick<Repositories, 'users' | 'sessions' | 'apiTokens'> & {
    transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  };
  hasher: PasswordHasher;
  clock: Clock;
  /** Sliding session lifetime; default 7 days. */
  sessionTtlMs?: number;
}

/** Default sliding session lifetime: 7 days. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const TOUCH_EVERY_MS = 60 * 1000;
const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
export const MIN_PASSWORD_LENGTH = 10;

/** Accounts on the metadata store: passwords via the KDF, sessions and API tokens stored as hashes. */
export function createAccountsService(options: AccountsServiceOptions): AccountsService {
  const { store, hasher, clock } = options;
  const ttl = options.sessionTtlMs ?? SESSION_TTL_MS;

  async function startSession(user: { id: string; username: string }): Promise<SignedIn> {
    const generated = generateSessionToken();
    const sessionToken = generated.token.reveal();
    const expiresAt = new Date(clock.now().getTime() + ttl);
    await store.sessions.create({ idHash: generated.tokenHash, userId: user.id, csrfToken: csrfTokenFor(sessionToken), expiresAt });
    return { user: { id: user.id, username: user.username }, sessionToken, expiresAt };
  }

  const tokenView = (token: { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | undefined }): ApiTokenView => ({
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    createdAt: token.createdAt.toISOString(),
    ...(token.lastUsedAt ? { lastUsedAt: token.lastUsedAt.toISOString() } : {}),
  });

  return {
    async isSetupNeeded() {
      return (await store.users.count()) === 0;
    },

    async setup(username, password) {
      const fields: Record<string, string> = {};
      if (!USERNAME.test(username)) fields.username = 'Use 1 to 64 letters, digits, dots, dashes, underscores or @.';
      if (password.length < MIN_PASSWORD_LENGTH) fields.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
      if (Object.keys(fields).length > 0) {
        throw new DBackupError('invalid_input', Object.values(fields).join(' '), { details: { fields } });
      }
      const passwordHash = await hasher.hash(password);
      const user = await store.transaction(async (tx) => {
        if ((await tx.users.count()) > 0) {
          throw new DBackupError('conflict', 'DBackup is already set up. Sign in with the administrator account instead.');
        }
        return tx.users.create({ username, passwordHash });
      });
      return startSession(user);
    },

    async login(username, password) {
      const user = await store.users.findByUsername(username);
      // verify() with `undefined` checks a dummy hash, so timing does not reveal unknown users.
      const ok = await hasher.verify(password, user?.passwordHash);
      if (!ok || !user) return undefined;
      if (hasher.needsRehash(user.passwordHash)) await store.users.updatePasswordHash(user.id, await hasher.hash(password));
      return startSession(user);
    },

    async logout(sessionToken) {
      await store.sessions.delete(hashToken(sessionToken));
    },

    async principalBySession(sessionToken): Promise<Principal | undefined> {
      const idHash = hashToken(sessionToken);
      const session = await store.sessions.findActive(idHash);
      if (!session) return undefined;
      const user = await store.users.get(session.userId);
      if (!user) return undefined;
      const now = clock.now().getTime();
      if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await store.sessions.touch(idHash, new Date(now + ttl));
      return { userId: user.id, username: user.username, via: 'session', sessionId: idHash };
    },

    async principalByApiToken(token): Promise<Principal | undefined> {
      if (!looksLikeApiToken(token)) return undefined;
      const found = await store.apiTokens.findByHash(hashToken(token));
      if (!found) return undefined;
      const user = await store.users.get(found.userId);
      if (!user) return undefined;
      await store.apiTokens.markUsed(found.id);
      return { userId: user.id, username: user.username, via: 'token' };
    },

    async listApiTokens(userId) {
      return (await store.apiTokens.list(userId)).map(tokenView);
    },

    async createApiToken(userId, name) {
      const generated = generateApiToken();
      const created = await store.apiTokens.create({ userId, name, tokenHash: generated.tokenHash, prefix: generated.prefix });
      return { ...tokenView(created), token: generated.token.reveal() };
    },

    async revokeApiToken(userId, tokenId) {
      if (!(await store.apiTokens.delete(tokenId, userId))) {
        throw new DBackupError('not_found', 'No such API token. It may have been revoked already.');
      }
    },
  };
}
