import { DBackupError } from '../../../core/errors.ts';
import { Secret } from '../../../core/secret.ts';
import type { Destination } from '../../../ports/destination.port.ts';
import type { DestinationConfig, DestinationRecord, DestinationSecretName, Repositories } from '../../../ports/metadata-store.port.ts';
import { dropboxFolderPathProblem, validateDestination, type DestinationInput } from '../destination-validation.ts';
import type { DestinationStatusView, DestinationsService, DestinationView } from './services.ts';

export interface DestinationsServiceOptions {
  store: Pick<Repositories, 'destinations'>;
  /** Builds the storage adapter for a record (local folder, or Dropbox with its refresh token). */
  openDestination: (record: DestinationRecord) => Destination;
  /** Live status of a Dropbox record (see dropbox-status.ts). */
  dropboxStatus: (record: DestinationRecord) => Promise<DestinationStatusView>;
  /** Best-effort revocation of a refresh token that is being discarded. */
  revokeDropboxToken: (record: DestinationRecord) => Promise<void>;
}

const SECRET_NAMES: readonly DestinationSecretName[] = ['appKey', 'appSecret'];

/** Destinations as the API sees them; secrets go in, only "is set" flags come out. */
export function createDestinationsService(options: DestinationsServiceOptions): DestinationsService {
  const { store } = options;

  async function load(id: string): Promise<DestinationRecord> {
    const record = await store.destinations.get(id);
    if (!record) throw new DBackupError('not_found', 'No such destination. It may have been deleted.');
    return record;
  }

  function check(input: DestinationInput, stored?: Record<string, boolean>): void {
    const fields = validateDestination(input, stored);
    if (Object.keys(fields).length > 0) {
      throw new DBackupError('invalid_input', `Check the highlighted fields: ${Object.values(fields).join(' ')}`, { details: { fields } });
    }
  }

  function configOf(input: DestinationInput): DestinationConfig {
    return input.type === 'dropbox' ? { folderPath: input.config.folderPath ?? '' } : { basePath: (input.config.path ?? '').trim() };
  }

  function requireAuthorized(record: DestinationRecord): void {
    if (record.type === 'dropbox' && !record.secrets.refreshToken) {
      throw new DBackupError('authorization_required', 'Authorize with Dropbox first: click Authorize with Dropbox, then try again.');
    }
  }

  return {
    async list() {
      return (await store.destinations.list()).map(toView);
    },

    async get(id) {
      return toView(await load(id));
    },

    async create(input) {
      check(input);
      const secrets: Partial<Record<DestinationSecretName, Secret>> = {};
      for (const name of input.type === 'dropbox' ? SECRET_NAMES : []) secrets[name] = new Secret((input.secrets[name] ?? '').trim());
      const record = await store.destinations.create({ type: input.type as 'dropbox' | 'local', name: input.name.trim(), config: configOf(input), secrets });
      return toView(record);
    },

    async update(id, input) {
      const record = await load(id);
      if (input.type !== record.type) {
        throw new DBackupError('invalid_input', 'The type of a destination cannot change. Create a new destination instead.', { details: { fields: { type: 'Cannot change.' } } });
      }
      check(input, secretFlags(record));
      const secrets: Partial<Record<DestinationSecretName, Secret | null>> = {};
      for (const name of record.type === 'dropbox' ? SECRET_NAMES : []) {
        const value = (input.secrets[name] ?? '').trim();
        if (value !== '') secrets[name] = new Secret(value);
      }
      // A refresh token belongs to one app: a new App Key makes it useless, so drop (and revoke) it.
      const newKey = secrets.appKey?.reveal();
      if (newKey && record.secrets.refreshToken && newKey !== record.secrets.appKey?.reveal()) {
        await options.revokeDropboxToken(record);
        await store.destinations.clearAuthorization(id);
      }
      return toView(await store.destinations.update(id, { name: input.name.trim(), config: configOf(input), secrets }));
    },

    async remove(id) {
      const record = await load(id);
      await store.destinations.delete(id);
      if (record.secrets.refreshToken) await options.revokeDropboxToken(record);
    },

    async status(id) {
      const record = await load(id);
      if (record.type === 'dropbox') return options.dropboxStatus(record);
      try {
        const usage = await options.openDestination(record).capabilities.usage?.();
        return { state: 'ready', ...(usage ? { usage } : {}) };
      } catch (error) {
        return { state: 'error', message: error instanceof Error ? error.message : String(error) };
      }
    },

    async browse(id, folder) {
      const record = await load(id);
      requireAuthorized(record);
      if (record.type === 'dropbox') {
        const problem = dropboxFolderPathProblem(folder);
        if (problem) throw new DBackupError('invalid_input', problem);
      }
      const browse = options.openDestination(record).capabilities.browseFolders;
      if (!browse) throw new DBackupError('invalid_input', 'This destination cannot browse folders.');
      return browse(folder);
    },

    async testConnection(id) {
      const record = await load(id);
      requireAuthorized(record);
      const test = options.openDestination(record).capabilities.testConnection;
      if (!test) throw new DBackupError('invalid_input', 'This destination has no connection test.');
      return test();
    },
  };
}

function secretFlags(record: DestinationRecord): Record<string, boolean> {
  const flags: Record<string, boolean> = {};
  if (record.type === 'dropbox') for (const name of SECRET_NAMES) flags[name] = Boolean(record.secrets[name]);
  return flags;
}

/** The API view: never a secret value. */
export function toView(record: DestinationRecord): DestinationView {
  const config: Record<string, string> =
    record.type === 'dropbox' ? { folderPath: String(record.config.folderPath ?? '') } : { path: String(record.config.basePath ?? '') };
  return {
    id: record.id,
    type: record.type,
    name: record.name,
    config,
    secrets: secretFlags(record),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}
