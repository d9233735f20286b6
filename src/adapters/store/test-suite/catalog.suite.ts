import { expect, it } from 'vitest';
import { Secret } from '../../../core/secret.ts';
import { rejection, type StoreHarness } from './harness.ts';

export function catalogSuite(h: () => StoreHarness): void {
  const dropbox = (h: StoreHarness, name = 'Dropbox') =>
    h.store.destinations.create({
      type: 'dropbox',
      name,
      config: { folderPath: '/backups' },
      secrets: { appKey: new Secret('app-key-123'), appSecret: new Secret('app-secret-456') },
    });

  it('destinations: secrets round-trip as Secrets and are encrypted at rest', async () => {
    const harness = h();
    const created = await dropbox(harness);
    const got = await harness.store.destinations.get(created.id);
    expect(got?.config).toEqual({ folderPath: '/backups' });
    expect(got?.secrets.appKey?.reveal()).toBe('app-key-123');
    expect(got?.secrets.appSecret?.reveal()).toBe('app-secret-456');
    expect(got?.secrets.refreshToken).toBeUndefined();
    expect(got?.authorization).toBeUndefined();
    const row = await harness.raw.selectFrom('destinations').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toMatch(/app-key-123|app-secret-456/);
    expect(row.secrets_enc).toMatch(new RegExp(`^v1:${harness.box.keyId}:`));
    expect(JSON.stringify(got)).not.toMatch(/app-key-123|app-secret-456/);
  });

  it('destinations: a ciphertext copied to another row does not decrypt there', async () => {
    const harness = h();
    const a = await dropbox(harness, 'A');
    const b = await harness.store.destinations.create({ type: 'dropbox', name: 'B', secrets: { appKey: new Secret('other') } });
    const stolen = await harness.raw.selectFrom('destinations').select('secrets_enc').where('id', '=', a.id).executeTakeFirstOrThrow();
    await harness.raw.updateTable('destinations').set({ secrets_enc: stolen.secrets_enc }).where('id', '=', b.id).execute();
    expect((await rejection(harness.store.destinations.get(b.id))).code).toBe('integrity');
  });

  it('destinations: update keeps blank secrets, replaces given ones, removes null ones', async () => {
    const harness = h();
    const created = await dropbox(harness);
    harness.clock.advance(1000);
    const updated = await harness.store.destinations.update(created.id, {
      name: 'Renamed',
      config: { folderPath: '/other' },
      secrets: { appKey: undefined, appSecret: new Secret('new-secret') },
    });
    expect(updated.name).toBe('Renamed');
    expect(updated.secrets.appKey?.reveal()).toBe('app-key-123');
    expect(updated.secrets.appSecret?.reveal()).toBe('new-secret');
    expect(updated.updatedAt.getTime() - created.updatedAt.getTime()).toBe(1000);
    const cleared = await harness.store.destinations.update(created.id, { secrets: { appSecret: null } });
    expect(cleared.secrets.appSecret).toBeUndefined();
    expect((await harness.store.destinations.get(created.id))?.config).toEqual({ folderPath: '/other' });
    expect((await rejection(harness.store.destinations.update('missing', { name: 'x' }))).code).toBe('not_found');
  });

  it('destinations: authorization stores the refresh token, returns the previous one, and can be cleared', async () => {
    const harness = h();
    const { store } = harness;
    const created = await dropbox(harness);
    const first = await store.destinations.setAuthorization(created.id, { refreshToken: new Secret('rt-1'), accountId: 'dbid:1', accountName: 'Ann' });
    expect(first.previousRefreshToken).toBeUndefined();
    expect(first.destination.authorization).toMatchObject({ accountId: 'dbid:1', accountName: 'Ann' });
    const second = await store.destinations.setAuthorization(created.id, { refreshToken: new Secret('rt-2'), accountId: 'dbid:2', accountName: 'Bo' });
    expect(second.previousRefreshToken?.reveal()).toBe('rt-1');
    const got = await store.destinations.get(created.id);
    expect(got?.secrets.refreshToken?.reveal()).toBe('rt-2');
    expect(got?.secrets.appKey?.reveal()).toBe('app-key-123');
    const cleared = await store.destinations.clearAuthorization(created.id);
    expect(cleared.authorization).toBeUndefined();
    expect(cleared.secrets.refreshToken).toBeUndefined();
    expect(cleared.secrets.appSecret?.reveal()).toBe('app-secret-456');
  });

  it('sources: password encrypted, kept when blank, removed with null; fields cleared with null', async () => {
    const harness = h();
    const { store } = harness;
    const src = await store.sources.create({ type: 'postgres', name: 'prod', host: 'db', port: 5432, username: 'backup', password: new Secret('pg-pass'), options: { sslmode: 'require' } });
    const raw = await harness.raw.selectFrom('sources').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(raw)).not.toContain('pg-pass');
    expect((await store.sources.get(src.id))?.password?.reveal()).toBe('pg-pass');
    const renamed = await store.sources.update(src.id, { name: 'production', port: null });
    expect(renamed).toMatchObject({ name: 'production', host: 'db', port: undefined, username: 'backup', options: { sslmode: 'require' } });
    expect(renamed.password?.reveal()).toBe('pg-pass');
    expect((await store.sources.update(src.id, { password: null })).password).toBeUndefined();
    const lite = await store.sources.create({ type: 'sqlite', name: 'app.db', sqlitePath: '/srv/app.db' });
    expect((await store.sources.list()).map((s) => s.name)).toEqual(['app.db', 'production']);
    expect(lite).toMatchObject({ host: undefined, password: undefined, sqlitePath: '/srv/app.db', options: {} });
  });

  it('sources and destinations: deletion refused while a job uses them, naming the job', async () => {
    const { store } = h();
    const src = await store.sources.create({ type: 'postgres', name: 'prod' });
    const dest = await store.destinations.create({ type: 'local', name: 'disk', config: { basePath: '/backups' } });
    const job = await store.jobs.create({ name: 'Nightly', folderName: 'nightly', sourceId: src.id, database: 'app', destinationIds: [dest.id] });
    expect(await store.sources.usedBy(src.id)).toEqual([{ id: job.id, name: 'Nightly' }]);
    const srcRefused = await rejection(store.sources.delete(src.id));
    expect(srcRefused.code).toBe('conflict');
    expect(srcRefused.message).toContain('"Nightly"');
    const destRefused = await rejection(store.destinations.delete(dest.id));
    expect(destRefused.details['jobs']).toEqual([{ id: job.id, name: 'Nightly' }]);
    await store.jobs.delete(job.id);
    await store.destinations.delete(dest.id);
    await store.sources.delete(src.id);
    await store.sources.delete(src.id);
    expect(await store.destinations.get(dest.id)).toBeUndefined();
  });

  it('encryption profiles: key encrypted; fingerprint unique; deletion refused while a job or a backup uses it', async () => {
    const harness = h();
    const { store } = harness;
    const keyHex = 'ab'.repeat(32);
    const profile = await store.encryptionProfiles.create({ name: 'Offsite', fingerprint: 'fp-1', key: new Secret(keyHex) });
    expect(JSON.stringify(await harness.raw.selectFrom('encryption_profiles').selectAll().execute())).not.toContain(keyHex);
    expect((await store.encryptionProfiles.findByFingerprint('fp-1'))?.key.reveal()).toBe(keyHex);
    expect((await rejection(store.encryptionProfiles.create({ name: 'Dup', fingerprint: 'fp-1', key: new Secret(keyHex) }))).code).toBe('conflict');
    expect((await store.encryptionProfiles.rename(profile.id, 'Off-site')).name).toBe('Off-site');

    const src = await store.sources.create({ type: 'sqlite', name: 's', sqlitePath: '/x.db' });
    const dest = await store.destinations.create({ type: 'local', name: 'd' });
    const job = await store.jobs.create({ name: 'J', folderName: 'j', sourceId: src.id, destinationIds: [dest.id], encryptionProfileId: profile.id });
    await store.backups.record({ destinationId: dest.id, key: 'j/backup_1.sql.gz.enc', size: 10, createdAt: harness.clock.now(), compression: 'gzip', encryptionProfileId: profile.id });
    expect(await store.encryptionProfiles.usage(profile.id)).toEqual({ jobs: [{ id: job.id, name: 'J' }], backups: 1 });
    const refused = await rejection(store.encryptionProfiles.delete(profile.id));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain('job "J" and 1 stored backup');

    await store.jobs.update(job.id, { encryptionProfileId: null });
    expect((await rejection(store.encryptionProfiles.delete(profile.id))).details).toMatchObject({ jobs: [], backups: 1 });
    await store.backups.delete(dest.id, 'j/backup_1.sql.gz.enc');
    await store.encryptionProfiles.delete(profile.id);
    expect(await store.encryptionProfiles.list()).toEqual([]);
  });
}
