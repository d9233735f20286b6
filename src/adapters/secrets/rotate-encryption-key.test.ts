import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptionKeyId } from '../../core/config/encryption-key.ts';
import { Secret } from '../../core/secret.ts';
import type { MetadataStore } from '../../ports/metadata-store.port.ts';
import { openMetadataStore } from '../store/open-metadata-store.ts';
import { rejection } from '../store/test-suite/harness.ts';
import { writeKeyFile } from './master-key-file.ts';
import { rotateEncryptionKey, rotateEncryptionKeyInDataDir } from './rotate-encryption-key.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dbk-rotate-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One secret of every kind, so rotation must touch them all (4 sealed values: the destination seals its three together). */
async function seed(store: MetadataStore): Promise<{ sourceId: string; destinationId: string; profileId: string }> {
  const user = await store.users.create({ username: 'admin', passwordHash: 'h' });
  const dest = await store.destinations.create({ type: 'dropbox', name: 'D', secrets: { appKey: new Secret('key'), appSecret: new Secret('secret') } });
  await store.destinations.setAuthorization(dest.id, { refreshToken: new Secret('refresh'), accountId: 'a', accountName: 'A' });
  const src = await store.sources.create({ type: 'postgres', name: 'pg', password: new Secret('pg-password') });
  const profile = await store.encryptionProfiles.create({ name: 'p', fingerprint: 'fp', key: new Secret('ee'.repeat(32)) });
  await store.oauthStates.create({ state: 's', userId: user.id, destinationId: dest.id, codeVerifier: new Secret('v'), redirectUri: 'r' });
  return { sourceId: src.id, destinationId: dest.id, profileId: profile.id };
}

async function expectSecretsReadable(store: MetadataStore, ids: Awaited<ReturnType<typeof seed>>): Promise<void> {
  const dest = await store.destinations.get(ids.destinationId);
  expect([dest?.secrets.appKey?.reveal(), dest?.secrets.appSecret?.reveal(), dest?.secrets.refreshToken?.reveal()]).toEqual(['key', 'secret', 'refresh']);
  expect((await store.sources.get(ids.sourceId))?.password?.reveal()).toBe('pg-password');
  expect((await store.encryptionProfiles.get(ids.profileId))?.key.reveal()).toBe('ee'.repeat(32));
}

describe('rotateEncryptionKeyInDataDir', () => {
  it('key file mode: re-encrypts everything, replaces encryption.key; the old key no longer works', async () => {
    const dir = await dataDir();
    const first = await openMetadataStore({ dataDir: dir });
    const ids = await seed(first.store);
    await first.store.close();
    const oldKeyText = (await readFile(join(dir, 'encryption.key'), 'utf8')).trim();

    const result = await rotateEncryptionKeyInDataDir({ dataDir: dir });
    expect(result).toMatchObject({ secrets: 4, fromKeyId: first.keyId, mustUpdateEnvironment: false, keyFile: join(dir, 'encryption.key') });
    expect(result.messages[0]).toBe(`Re-encrypted 4 stored secrets: key id ${first.keyId} → ${result.toKeyId}.`);
    const newKeyText = (await readFile(join(dir, 'encryption.key'), 'utf8')).trim();
    expect(newKeyText).not.toBe(oldKeyText);
    expect(encryptionKeyId(Buffer.from(newKeyText, 'hex'))).toBe(result.toKeyId);
    expect((await stat(join(dir, 'encryption.key'))).mode & 0o777).toBe(0o600);
    await expect(access(join(dir, 'encryption.key.next'))).rejects.toThrow();

    const reopened = await openMetadataStore({ dataDir: dir });
    cleanups.push(() => reopened.store.close());
    expect(reopened.keyId).toBe(result.toKeyId);
    await expectSecretsReadable(reopened.store, ids);
    const oldKey = await rejection(openMetadataStore({ dataDir: dir, encryptionKey: oldKeyText }));
    expect(oldKey.message).toContain(`does not match the key this data was encrypted with (key id ${result.toKeyId}`);
  });

  it('ENCRYPTION_KEY mode: uses the given new key and leaves it in encryption.key.next until the environment changes', async () => {
    const dir = await dataDir();
    const oldKey = randomBytes(32).toString('hex');
    const newKey = randomBytes(32).toString('base64');
    const first = await openMetadataStore({ dataDir: dir, encryptionKey: oldKey });
    const ids = await seed(first.store);
    await first.store.close();

    const result = await rotateEncryptionKeyInDataDir({ dataDir: dir, currentKey: new Secret(oldKey), newKey: new Secret(newKey) });
    expect(result).toMatchObject({ mustUpdateEnvironment: true, keyFile: join(dir, 'encryption.key.next') });
    expect(result.messages.join('\n')).toContain('Set ENCRYPTION_KEY to its contents');

    const stale = await rejection(openMetadataStore({ dataDir: dir, encryptionKey: oldKey }));
    expect(stale.message).toContain(`re-encrypted by rotate-encryption-key with the new key stored in ${join(dir, 'encryption.key.next')}`);
    const updated = await openMetadataStore({ dataDir: dir, encryptionKey: newKey });
    cleanups.push(() => updated.store.close());
    expect(updated.warnings[0]).toContain('left over from a key rotation');
    await expectSecretsReadable(updated.store, ids);
  });

  it('refuses a new key equal to the current one or malformed, changing nothing', async () => {
    const dir = await dataDir();
    const key = randomBytes(32).toString('hex');
    await (await openMetadataStore({ dataDir: dir, encryptionKey: key })).store.close();
    expect((await rejection(rotateEncryptionKeyInDataDir({ dataDir: dir, currentKey: key, newKey: key }))).message).toContain('same as the current key');
    expect((await rejection(rotateEncryptionKeyInDataDir({ dataDir: dir, currentKey: key, newKey: 'short' }))).message).toMatch(/^The new key must be 32 bytes/);
    await expect(access(join(dir, 'encryption.key.next'))).rejects.toThrow();
    await (await openMetadataStore({ dataDir: dir, encryptionKey: key })).store.close();
  });

  it('crash after the commit but before the key file was replaced: the next start finishes the rotation', async () => {
    const dir = await dataDir();
    const first = await openMetadataStore({ dataDir: dir });
    const ids = await seed(first.store);
    const oldKey = Buffer.from((await readFile(join(dir, 'encryption.key'), 'utf8')).trim(), 'hex');
    const newKey = randomBytes(32);
    // What rotateEncryptionKeyInDataDir does, stopped right after the transaction commits.
    await writeKeyFile(join(dir, 'encryption.key.next'), newKey, { exclusive: false });
    await rotateEncryptionKey(first.store, oldKey, newKey);
    await first.store.close();

    const recovered = await openMetadataStore({ dataDir: dir });
    cleanups.push(() => recovered.store.close());
    expect(recovered.keyId).toBe(encryptionKeyId(newKey));
    expect(recovered.warnings[0]).toContain('Completed an interrupted key rotation');
    expect((await readFile(join(dir, 'encryption.key'), 'utf8')).trim()).toBe(newKey.toString('hex'));
    await expectSecretsReadable(recovered.store, ids);
  });

  it('crash before the commit: the leftover next key is discarded and the data keeps its key', async () => {
    const dir = await dataDir();
    const first = await openMetadataStore({ dataDir: dir });
    const ids = await seed(first.store);
    await first.store.close();
    await writeKeyFile(join(dir, 'encryption.key.next'), randomBytes(32), { exclusive: false });
    const reopened = await openMetadataStore({ dataDir: dir });
    cleanups.push(() => reopened.store.close());
    expect(reopened.keyId).toBe(first.keyId);
    expect(reopened.warnings[0]).toContain('did not complete');
    await expect(access(join(dir, 'encryption.key.next'))).rejects.toThrow();
    await expectSecretsReadable(reopened.store, ids);
  });

  it('rotateEncryptionKey refuses an old key that is not the store key', async () => {
    const dir = await dataDir();
    const first = await openMetadataStore({ dataDir: dir });
    cleanups.push(() => first.store.close());
    const error = await rejection(rotateEncryptionKey(first.store, randomBytes(32), randomBytes(32)));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(`(key id ${first.keyId})`);
  });
});
