/**
 * The metadata store conformance suite: every repository, transactions and key rotation, run
 * against each database the store supports (SQLite in unit tests, PostgreSQL in integration).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../core/secret.ts';
import { createAesGcmSecretBox } from '../../secrets/aes-gcm.secret-box.ts';
import { createKyselyMetadataStore } from '../kysely.store.ts';
import { KEY_CHECK_SETTING, keyCheckMatches } from '../key-check.ts';
import { accountsSuite } from './accounts.suite.ts';
import { catalogSuite } from './catalog.suite.ts';
import { makeHarness, rejection, type StoreHarness, type StoreHarnessFactory } from './harness.ts';
import { jobsSuite } from './jobs.suite.ts';
import { notificationsSuite } from './notifications.suite.ts';
import { restoresSuite } from './restores.suite.ts';

export function describeMetadataStore(factory: StoreHarnessFactory): void {
  describe(`metadata store on ${factory.name}`, () => {
    let harness: StoreHarness | undefined;
    const h = (): StoreHarness => {
      if (harness === undefined) throw new Error('store harness not ready');
      return harness;
    };
    beforeEach(async () => {
      harness = await makeHarness(factory);
    });
    afterEach(async () => {
      if (harness !== undefined) await factory.dispose(harness.store);
      harness = undefined;
    });

    describe('accounts', () => accountsSuite(h));
    describe('catalog', () => catalogSuite(h));
    describe('jobs and runs', () => jobsSuite(h));
    describe('restores', () => restoresSuite(h));
    describe('notifications', () => notificationsSuite(h));

    it('settings: set, overwrite, list by prefix, delete', async () => {
      const { store } = h();
      await store.settings.set('ui.theme', 'dark');
      await store.settings.set('ui.theme', 'light');
      await store.settings.set('scheduler.last_tick', '2024-01-15T12:00:00.000Z');
      expect(await store.settings.get('ui.theme')).toBe('light');
      expect(await store.settings.list('ui.')).toEqual({ 'ui.theme': 'light' });
      await store.settings.delete('ui.theme');
      await store.settings.delete('ui.theme');
      expect(await store.settings.get('ui.theme')).toBeUndefined();
    });

    it('transaction: everything commits together or not at all', async () => {
      const { store } = h();
      const failure = new Error('stop');
      await expect(
        store.transaction(async (tx) => {
          await tx.users.create({ username: 'ghost', passwordHash: 'h' });
          await tx.settings.set('k', 'v');
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.users.count()).toBe(0);
      expect(await store.settings.get('k')).toBeUndefined();
      const id = await store.transaction(async (tx) => (await tx.users.create({ username: 'real', passwordHash: 'h' })).id);
      expect((await store.users.get(id))?.username).toBe('real');
    });

    it('transaction: calls through the outer store and nested transactions join it instead of deadlocking', async () => {
      const { store } = h();
      await expect(
        store.transaction(async () => {
          await store.users.create({ username: 'a', passwordHash: 'h' });
          await store.transaction((inner) => inner.users.create({ username: 'b', passwordHash: 'h' }));
          expect(await store.users.count()).toBe(2);
          throw new Error('roll back both');
        }),
      ).rejects.toThrow('roll back both');
      expect(await store.users.count()).toBe(0);
    });

    it('reencryptSecrets: every secret moves to the new key in one go; the old key no longer opens them', async () => {
      const harness = h();
      const { store, raw } = harness;
      const user = await store.users.create({ username: 'u', passwordHash: 'h' });
      const dest = await store.destinations.create({ type: 'dropbox', name: 'D', secrets: { appKey: new Secret('k'), appSecret: new Secret('s') } });
      await store.destinations.setAuthorization(dest.id, { refreshToken: new Secret('rt'), accountId: 'a', accountName: 'A' });
      const src = await store.sources.create({ type: 'mysql', name: 'm', password: new Secret('pw') });
      await store.sources.create({ type: 'sqlite', name: 'no password', sqlitePath: '/x' });
      const profile = await store.encryptionProfiles.create({ name: 'p', fingerprint: 'fp', key: new Secret('cd'.repeat(32)) });
      await store.oauthStates.create({ state: 'st', userId: user.id, destinationId: dest.id, codeVerifier: new Secret('ver'), redirectUri: 'r' });

      const next = createAesGcmSecretBox(randomBytes(32));
      const result = await store.reencryptSecrets(next);
      expect(result).toEqual({ secrets: 4, fromKeyId: harness.box.keyId, toKeyId: next.keyId });
      expect(store.keyId).toBe(next.keyId);

      expect((await store.destinations.get(dest.id))?.secrets.refreshToken?.reveal()).toBe('rt');
      expect((await store.sources.get(src.id))?.password?.reveal()).toBe('pw');
      expect((await store.encryptionProfiles.get(profile.id))?.key.reveal()).toBe('cd'.repeat(32));
      expect((await store.oauthStates.consume('st', user.id)).codeVerifier.reveal()).toBe('ver');
      const check = await raw.selectFrom('settings').select('value').where('key', '=', KEY_CHECK_SETTING).executeTakeFirstOrThrow();
      expect(keyCheckMatches(check.value, next)).toBe(true);
      expect(keyCheckMatches(check.value, harness.box)).toBe(false);

      const stale = createKyselyMetadataStore({ db: raw, secretBox: harness.box, dialect: store.dialect });
      const refused = await rejection(stale.sources.get(src.id));
      expect(refused.code).toBe('integrity');
      expect(refused.message).toContain(`key id ${next.keyId}`);
    });

    it('reencryptSecrets: a secret that does not open aborts the rotation and changes nothing', async () => {
      const { store, raw } = h();
      const good = await store.sources.create({ type: 'postgres', name: 'good', password: new Secret('pw') });
      const bad = await store.sources.create({ type: 'postgres', name: 'bad', password: new Secret('pw2') });
      const goodRow = await raw.selectFrom('sources').select('password_enc').where('id', '=', good.id).executeTakeFirstOrThrow();
      await raw.updateTable('sources').set({ password_enc: goodRow.password_enc }).where('id', '=', bad.id).execute();
      const before = await raw.selectFrom('sources').select(['id', 'password_enc']).orderBy('id').execute();
      expect((await rejection(store.reencryptSecrets(createAesGcmSecretBox(randomBytes(32))))).code).toBe('integrity');
      expect(await raw.selectFrom('sources').select(['id', 'password_enc']).orderBy('id').execute()).toEqual(before);
      expect((await store.sources.get(good.id))?.password?.reveal()).toBe('pw');
    });
  });
}
