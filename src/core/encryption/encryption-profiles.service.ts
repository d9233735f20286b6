import type { KeyTools } from '../../ports/key-tools.port.ts';
import type { EncryptionProfile, EncryptionProfileUsage, Repositories } from '../../ports/metadata-store.port.ts';
import { DBackupError } from '../errors.ts';
import { Secret } from '../secret.ts';

/** What the UI and API see of a profile: never the key. */
export interface EncryptionProfileView {
  id: string;
  name: string;
  fingerprint: string;
  createdAt: Date;
  usage: EncryptionProfileUsage;
}

export const KEY_EXPORT_WARNING = 'Anyone with this key file can decrypt every backup made with this profile, and without it nobody can — not even DBackup after its database is lost. Store it somewhere safe and separate from the backups.';

export interface EncryptionProfilesService {
  list(): Promise<EncryptionProfileView[]>;
  /** Generates a random 256-bit key. Throws `invalid_input` for an empty name. */
  create(name: string): Promise<EncryptionProfileView>;
  /** Adds a profile from an exported key file (e.g. to restore on a new installation). */
  import(keyFileText: string, name?: string): Promise<EncryptionProfileView>;
  rename(id: string, name: string): Promise<EncryptionProfileView>;
  /** The key file text and a suggested file name. Throws `not_found`. */
  exportKey(id: string): Promise<{ fileName: string; contents: string; warning: string }>;
  /** Refused with `conflict` while a job or a stored backup uses the profile. */
  delete(id: string): Promise<void>;
  /** For restore and decrypt: the key with this fingerprint, if a profile holds it. */
  keyForFingerprint(fingerprint: string): Promise<Uint8Array | undefined>;
  /** For backups: the profile's key. Throws `not_found`. */
  keyOf(id: string): Promise<{ profileId: string; key: Uint8Array }>;
}

export function createEncryptionProfilesService(deps: { store: Pick<Repositories, 'encryptionProfiles'>; keys: KeyTools; clock: { now(): Date } }): EncryptionProfilesService {
  const repo = deps.store.encryptionProfiles;
  const view = async (profile: EncryptionProfile): Promise<EncryptionProfileView> => ({
    id: profile.id, name: profile.name, fingerprint: profile.fingerprint, createdAt: profile.createdAt, usage: await repo.usage(profile.id),
  });
  const required = async (id: string) => {
    const profile = await repo.get(id);
    if (!profile) throw new DBackupError('not_found', `Encryption profile ${id} does not exist.`);
    return profile;
  };
  const cleanName = (name: string) => {
    const trimmed = name.trim();
    if (!trimmed) throw new DBackupError('invalid_input', 'Give the encryption profile a name.', { details: { field: 'name' } });
    return trimmed;
  };
  const keyBytes = (profile: EncryptionProfile) => Buffer.from(profile.key.reveal(), 'hex');

  return {
    async list() {
      return Promise.all((await repo.list()).map(view));
    },
    async create(name) {
      const key = deps.keys.generate();
      return view(await repo.create({ name: cleanName(name), fingerprint: deps.keys.fingerprint(key), key: new Secret(Buffer.from(key).toString('hex')) }));
    },
    async import(keyFileText, name) {
      const parsed = deps.keys.importFile(keyFileText);
      const existing = await repo.findByFingerprint(parsed.fingerprint);
      if (existing) throw new DBackupError('conflict', `This key is already here as the profile "${existing.name}".`, { details: { profileId: existing.id } });
      return view(await repo.create({ name: cleanName(name ?? parsed.name ?? `Imported ${parsed.fingerprint.slice(0, 8)}`), fingerprint: parsed.fingerprint, key: new Secret(Buffer.from(parsed.key).toString('hex')) }));
    },
    async rename(id, name) {
      return view(await repo.rename(id, cleanName(name)));
    },
    async exportKey(id) {
      const profile = await required(id);
      const safeName = profile.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'profile';
      return {
        fileName: `dbackup-key-${safeName}-${profile.fingerprint.slice(0, 8)}.json`,
        contents: deps.keys.exportFile({ key: keyBytes(profile), name: profile.name, createdAt: profile.createdAt }),
        warning: KEY_EXPORT_WARNING,
      };
    },
    async delete(id) {
      await repo.delete(id);
    },
    async keyForFingerprint(fingerprint) {
      const profile = await repo.findByFingerprint(fingerprint);
      return profile ? keyBytes(profile) : undefined;
    },
    async keyOf(id) {
      return { profileId: id, key: keyBytes(await required(id)) };
    },
  };
}
