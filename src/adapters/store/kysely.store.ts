/**
 * The MetadataStore on any Kysely database (SQLite via node:sqlite, PostgreSQL via pg). The SQL
 * is the same for both; only the dialect object passed in differs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { MetadataStore, Repositories } from '../../ports/metadata-store.port.ts';
import type { SecretBox } from '../../ports/secret-box.port.ts';
import { toStoreError } from './db-errors.ts';
import { reencryptAllSecrets } from './reencrypt.ts';
import { createApiTokensRepository } from './repositories/api-tokens.repository.ts';
import { createBackupsRepository } from './repositories/backups.repository.ts';
import type { RepositoryContext } from './repositories/common.ts';
import { createDestinationsRepository } from './repositories/destinations.repository.ts';
import { createEncryptionProfilesRepository } from './repositories/encryption-profiles.repository.ts';
import { createJobsRepository } from './repositories/jobs.repository.ts';
import { createOAuthStatesRepository } from './repositories/oauth-states.repository.ts';
import { createRestoresRepository } from './repositories/restores.repository.ts';
import { createRunsRepository } from './repositories/runs.repository.ts';
import { createSessionsRepository } from './repositories/sessions.repository.ts';
import { createSettingsRepository } from './repositories/settings.repository.ts';
import { createSourcesRepository } from './repositories/sources.repository.ts';
import { createUsersRepository } from './repositories/users.repository.ts';
import { createWebhooksRepository } from './repositories/webhooks.repository.ts';
import type { StoreSchema } from './schema.ts';

export interface KyselyMetadataStoreOptions {
  /** A migrated database (see migrations/migrate.ts). By default the store owns it: `close()` destroys it. */
  db: Kysely<StoreSchema>;
  secretBox: SecretBox;
  dialect: 'sqlite' | 'postgres';
  /** Clock for timestamps and expiry checks; tests pass a fake. Default `new Date()`. */
  now?: () => Date;
  /** False when the caller shares `db` with others and destroys it itself; `close()` then does nothing. Default true. */
  ownsDatabase?: boolean;
}

export function createKyselyMetadataStore(options: KyselyMetadataStoreOptions): MetadataStore {
  const { db, dialect } = options;
  const now = options.now ?? (() => new Date());
  // The transaction in progress, if any. Repository calls made anywhere inside `transaction()`
  // run on it — on SQLite, going to the outer database there would wait forever for the
  // connection the transaction holds.
  const activeTransaction = new AsyncLocalStorage<Kysely<StoreSchema>>();
  let box = options.secretBox;

  const ctx: RepositoryContext = { db: () => activeTransaction.getStore() ?? db, box: () => box, now };
  const repositories: Repositories = {
    users: guard(createUsersRepository(ctx)),
    sessions: guard(createSessionsRepository(ctx)),
    apiTokens: guard(createApiTokensRepository(ctx)),
    oauthStates: guard(createOAuthStatesRepository(ctx)),
    destinations: guard(createDestinationsRepository(ctx)),
    sources: guard(createSourcesRepository(ctx)),
    encryptionProfiles: guard(createEncryptionProfilesRepository(ctx)),
    jobs: guard(createJobsRepository(ctx)),
    runs: guard(createRunsRepository(ctx)),
    backups: guard(createBackupsRepository(ctx)),
    restores: guard(createRestoresRepository(ctx)),
    settings: guard(createSettingsRepository(ctx)),
    webhooks: guard(createWebhooksRepository(ctx)),
  };

  const transaction = async <T>(work: (tx: Repositories) => Promise<T>): Promise<T> => {
    if (activeTransaction.getStore() !== undefined) return work(repositories);
    // The caller's own errors pass through unchanged; only failures of begin/commit are wrapped.
    let thrownByWork: { error: unknown } | undefined;
    try {
      return await db.transaction().execute((trx) =>
        activeTransaction.run(trx, async () => {
          try {
            return await work(repositories);
          } catch (error) {
            thrownByWork = { error };
            throw error;
          }
        }),
      );
    } catch (error) {
      if (thrownByWork !== undefined && thrownByWork.error === error) throw error;
      throw toStoreError(error);
    }
  };

  return {
    ...repositories,
    dialect,
    get keyId() {
      return box.keyId;
    },
    transaction,

    async reencryptSecrets(next) {
      const from = box;
      const secrets = await transaction(() => reencryptAllSecrets(ctx.db(), from, next, now()));
      box = next;
      return { secrets, fromKeyId: from.keyId, toKeyId: next.keyId };
    },

    async close() {
      if (options.ownsDatabase !== false) await db.destroy();
    },
  };
}

/** Every method rethrows failures as DBackupErrors (see db-errors.ts). */
function guard<T extends object>(repository: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(repository)) {
    guarded[name] =
      typeof method === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (method as (...a: unknown[]) => Promise<unknown>)(...args);
            } catch (error) {
              throw toStoreError(error);
            }
          }
        : method;
  }
  return guarded as T;
}
