import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyTools } from '../../adapters/crypto/key-tools.ts';
import type { MetadataStore } from '../../ports/metadata-store.port.ts';
import { createEncryptionProfilesService } from './encryption-profiles.service.ts';
import { openTempStore } from '../../test-support/temp-store.ts';

let dir: string;
let store: MetadataStore;
let dispose: () => Promise<void>;
beforeEach(async () => {
  ({ dir, store, dispose } = await openTempStore('dbk-prof-'));
});
afterEach(() => dispose());

const service = () => createEncryptionProfilesService({ store, keys: keyTools, clock: { now: () => new Date() } });

describe('encryption profiles', () => {
  it('creates a random key, never shows it, and exports it as a key file that imports back', async () => {
    const profiles = service();
    const created = await profiles.create('  Offsite  ');
    expect(created.name).toBe('Offsite');
    expect(JSON.stringify(created)).not.toMatch(/key"/);
    const exported = await profiles.exportKey(created.id);
    expect(exported.warning).toMatch(/Anyone with this key file/);
    const parsed = keyTools.importFile(exported.contents);
    expect(parsed.fingerprint).toBe(created.fingerprint);
    expect(await profiles.keyForFingerprint(created.fingerprint)).toEqual(Buffer.from(parsed.key));

    await expect(profiles.import(exported.contents)).rejects.toMatchObject({ code: 'conflict' });
    await profiles.delete(created.id);
    const imported = await profiles.import(exported.contents, 'Restored');
    expect(imported.fingerprint).toBe(created.fingerprint);
  });

  it('gives every profile its own key', async () => {
    const profiles = service();
    const [a, b] = [await profiles.create('a'), await profiles.create('b')];
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });

  it('refuses to delete a profile a job uses', async () => {
    const profiles = service();
    const profile = await profiles.create('in use');
    const source = await store.sources.create({ type: 'sqlite', name: 's', sqlitePath: '/tmp/x.db' });
    const destination = await store.destinations.create({ type: 'local', name: 'd', config: { basePath: dir } });
    await store.jobs.create({ name: 'j', folderName: 'j', sourceId: source.id, destinationIds: [destination.id], encryptionProfileId: profile.id });
    await expect(profiles.delete(profile.id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('asks for a name', async () => {
    await expect(service().create('  ')).rejects.toMatchObject({ code: 'invalid_input' });
  });
});
