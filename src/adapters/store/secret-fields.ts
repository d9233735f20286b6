/**
 * Every encrypted column, in one list. Repositories take their encryption contexts from here and
 * key rotation walks the same list, so a new secret column added here is rotated automatically.
 * The context (additional authenticated data) binds each ciphertext to its table, row and field.
 */
import type { StoreSchema } from './schema.ts';

export interface SecretField {
  table: keyof StoreSchema;
  idColumn: string;
  column: string;
  context: (id: string) => string;
}

export const DESTINATION_SECRETS: SecretField = {
  table: 'destinations',
  idColumn: 'id',
  column: 'secrets_enc',
  context: (id) => `destinations/${id}/secrets`,
};

export const SOURCE_PASSWORD: SecretField = {
  table: 'sources',
  idColumn: 'id',
  column: 'password_enc',
  context: (id) => `sources/${id}/password`,
};

export const PROFILE_KEY: SecretField = {
  table: 'encryption_profiles',
  idColumn: 'id',
  column: 'key_enc',
  context: (id) => `encryption_profiles/${id}/key`,
};

export const OAUTH_CODE_VERIFIER: SecretField = {
  table: 'oauth_states',
  idColumn: 'state_hash',
  column: 'code_verifier_enc',
  context: (id) => `oauth_states/${id}/code_verifier`,
};

export const WEBHOOK_URL: SecretField = {
  table: 'webhooks',
  idColumn: 'id',
  column: 'url_enc',
  context: (id) => `webhooks/${id}/url`,
};

export const SECRET_FIELDS: readonly SecretField[] = [DESTINATION_SECRETS, SOURCE_PASSWORD, PROFILE_KEY, OAUTH_CODE_VERIFIER, WEBHOOK_URL];
