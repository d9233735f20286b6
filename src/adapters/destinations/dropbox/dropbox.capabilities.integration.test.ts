import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../../core/storage.ts';
import { rejection, sourceOf } from '../destination.conformance-support.ts';
import { createDropboxTokenCache } from './dropbox-auth.ts';
import { ACCOUNT, APPS, startTestEmulator, type TestEmulator } from './dropbox-emulator.test-support.ts';
import { createDropboxSdk } from './dropbox-sdk.ts';

// What the conformance suite leaves to each destination: the connection test's report, folder
// browsing past Dropbox's 2,000-entry page limit, and reads at or past the end of a file.

let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

describe('testConnection', () => {
  it('reports the account, creates a missing folder once, probes write+delete and reads usage', async () => {
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Connection/Test');
    const first = await destination.capabilities.testConnection!();
    expect(first).toEqual({
      account: { name: ACCOUNT.name, email: ACCOUNT.email },
      folder: { path: '/Connection/Test', created: true },
      writeDelete: 'ok',
      usage: { used: expect.any(Number), allocated: ACCOUNT.quotaBytes },
    });
    const second = await destination.capabilities.testConnection!();
    expect(second.folder).toEqual({ path: '/Connection/Test', created: false });
    const listing = await destination.capabilities.browseFolders!('/Connection');
    expect(listing.folders).toEqual([{ name: 'Test', path: '/Connection/Test' }]);
    const files = [];
    for await (const file of destination.list('')) files.push(file.key);
    expect(files).toEqual([]);
  });

  it('says so when the folder path is a file', async () => {
    const { destination: root } = await emulator.destination(APPS.fullDropbox, '');
    await root.write('not-a-folder', sourceOf('x'));
    const { destination } = await emulator.destination(APPS.fullDropbox, '/not-a-folder');
    const error = await rejection(destination.capabilities.testConnection!());
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('is a file in Dropbox, not a folder');
  });

  it('works in an app folder, where the root needs no creating', async () => {
    const { destination } = await emulator.destination(APPS.appFolder, '');
    expect((await destination.capabilities.testConnection!()).folder).toEqual({ path: '', created: false });
  });
});

describe('browseFolders', () => {
  it('returns all folders past one 2,000-entry page, folders only, sorted case-insensitively', async () => {
    const sdk = createDropboxSdk({
      appKey: APPS.fullDropbox.key,
      appSecret: APPS.fullDropbox.secret,
      refreshToken: (await emulator.control.mintTokens({ appKey: APPS.fullDropbox.key, accountEmail: ACCOUNT.email })).refreshToken,
      apiBaseUrl: emulator.url,
      tokenCache: createDropboxTokenCache(),
    });
    const names = Array.from({ length: 2001 }, (_, i) => (i % 2 === 0 ? `Folder-${String(i).padStart(4, '0')}` : `folder-${String(i).padStart(4, '0')}`));
    for (let at = 0; at < names.length; at += 50) {
      await Promise.all(names.slice(at, at + 50).map((name) => sdk.client.filesCreateFolderV2({ path: `/Many/${name}` })));
    }
    await sdk.client.filesUpload({ path: '/Many/a-file.txt', contents: new Uint8Array([1]) });

    const { destination } = await emulator.destination(APPS.fullDropbox, '', { listPageSize: 2000 });
    const listing = await createStorage(destination).capabilities.browseFolders!('/many/');
    expect(listing.path).toBe('/many');
    expect(listing.folders).toHaveLength(2001);
    expect(listing.folders.map((folder) => folder.name)).toEqual(names);
    expect(listing.folders[1]).toEqual({ name: 'folder-0001', path: '/Many/folder-0001' });
    expect((await rejection(destination.capabilities.browseFolders!('/no-such-folder'))).code).toBe('not_found');
  });
});

describe('reads at the end of a file', () => {
  it('reading from exactly the end yields nothing; past the end is invalid input', async () => {
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Ends');
    await destination.write('file.txt', sourceOf('0123456789'));
    expect((await buffer(await destination.read('file.txt', { offset: 9 }))).toString()).toBe('9');
    expect((await buffer(await destination.read('file.txt', { offset: 10 }))).length).toBe(0);
    expect((await rejection(destination.read('file.txt', { offset: 11 }))).code).toBe('invalid_input');
  });
});
