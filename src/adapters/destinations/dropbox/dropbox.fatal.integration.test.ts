import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SCOPES } from '../../../../emulator/src/index.ts';
import { createStorage } from '../../../core/storage.ts';
import type { Destination } from '../../../ports/destination.port.ts';
import { generatedData } from '../../../test-support/generated-data.ts';
import { rejection, sourceOf } from '../destination.conformance-support.ts';
import { formatBytes } from './dropbox.errors.ts';
import { createDropboxDestination } from './dropbox.destination.ts';
import { ACCOUNT, APPS, countingFetch, FAST_OPTIONS, MIB, retryRecorder, startTestEmulator, type TestEmulator } from './dropbox-emulator.test-support.ts';
import { freePort } from '../../../../test/support/free-port.ts';

// Conditions no retry can fix: each must stop at once with a message that names the fix, and
// leave nothing committed.

let emulator: TestEmulator;
let storage: Destination;

beforeAll(async () => {
  emulator = await startTestEmulator();
  storage = createStorage((await emulator.destination(APPS.fullDropbox, '/Fatal')).destination);
});
afterAll(async () => {
  await emulator?.close();
});

async function expectNothingAt(key: string): Promise<void> {
  expect(await storage.stat(key)).toBeUndefined();
}

describe('quota', () => {
  it('a full Dropbox stops the upload and shows used/allocated space with the fix', async () => {
    await storage.write('quota/existing.bin', generatedData(3 * MIB));
    const before = await storage.capabilities.usage!();
    const allocated = before.used + 2 * MIB;
    await emulator.control.setQuota(ACCOUNT.email, allocated);
    try {
      const error = await rejection(storage.write('quota/too-big.bin', generatedData(9 * MIB), { size: 9 * MIB }));
      expect(error.code).toBe('quota_exceeded');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe(
        `Your Dropbox is full (${formatBytes(before.used)} of ${formatBytes(allocated)} used). Free up space in Dropbox or upgrade your plan, then run the backup again.`,
      );
      expect(error.details).toMatchObject({ used: before.used, allocated });
      await expectNothingAt('quota/too-big.bin');
    } finally {
      await emulator.control.setQuota(ACCOUNT.email, ACCOUNT.quotaBytes);
    }
  });
});

describe('permissions and authorization', () => {
  it('a missing scope is named with the App Console fix', async () => {
    const withoutWrite = ALL_SCOPES.filter((scope) => scope !== 'files.content.write');
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Fatal', { scopes: withoutWrite });
    const error = await rejection(createStorage(destination).write('scope/a.txt', sourceOf('a')));
    expect(error.code).toBe('missing_scope');
    expect(error.details.requiredScope).toBe('files.content.write');
    expect(error.message).toContain("Enable the 'files.content.write' permission in the Dropbox App Console (Permissions tab), then click Re-authorize.");

    const withoutRead = ALL_SCOPES.filter((scope) => scope !== 'files.content.read');
    await storage.write('scope/b.txt', sourceOf('b'));
    const reader = createStorage((await emulator.destination(APPS.fullDropbox, '/Fatal', { scopes: withoutRead })).destination);
    expect((await rejection(reader.read('scope/b.txt'))).details.requiredScope).toBe('files.content.read');
    await expectNothingAt('scope/a.txt');
  });

  it('a revoked app asks to re-authorize, with a cached access token and with a fresh one', async () => {
    const recorder = retryRecorder();
    const { destination: cached, config } = await emulator.destination(APPS.revocable, '', { logger: recorder.logger });
    expect(await cached.stat('nothing-here.txt')).toBeUndefined(); // the access token is now cached
    await emulator.control.revokeApp(APPS.revocable.key);
    const fresh = createDropboxDestination(config, { ...FAST_OPTIONS, apiBaseUrl: emulator.url });
    for (const destination of [cached, fresh]) {
      const error = await rejection(destination.stat('nothing-here.txt'));
      expect(error.code).toBe('authorization_required');
      expect(error.message).toMatch(/^Dropbox rejected the stored authorization \(it was revoked or the app's permissions changed\)\. Click Re-authorize/);
      expect(error.message).not.toContain(config.refreshToken);
    }
    expect(JSON.stringify(recorder.logs)).not.toContain(config.refreshToken);
  });

  it('refuses a missing refresh token before any request', () => {
    expect(() => createDropboxDestination({ appKey: 'k', appSecret: 's', refreshToken: '', folderPath: '' })).toThrow(
      expect.objectContaining({ code: 'authorization_required' }),
    );
  });
});

describe('names and paths', () => {
  it.each([
    ['a small file', 1000],
    ['a multi-chunk file', 9 * MIB],
  ])('a disallowed name is invalid_input and nothing is stored (%s)', async (_label, size) => {
    const error = await rejection(storage.write('names/desktop.ini', generatedData(size), { size }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('does not allow this file or folder name');
    await expectNothingAt('names/desktop.ini');
  });

  it('a malformed path is invalid_input', async () => {
    const error = await rejection(storage.write('names/trailing-space ', sourceOf('x')));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('malformed');
  });
});

describe('size limits', () => {
  it('refuses a declared size above 350 GB before reading or sending anything', async () => {
    const counter = countingFetch();
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Fatal', { fetch: counter.fetch });
    let pulled = false;
    const source = new Readable({
      read() {
        pulled = true;
        this.push(null);
      },
    });
    const error = await rejection(destination.write('huge/db.sql.gz', source, { size: 350e9 + 1 }));
    expect(error.code).toBe('too_large');
    expect(error.message).toBe(
      'This backup is 350 GB (350,000,000,001 bytes), but Dropbox accepts at most 350 GB (350,000,000,000 bytes) per file. ' +
        'Nothing was stored; use a local destination for this job or make the backup smaller.',
    );
    expect(pulled).toBe(false);
    expect(counter.total()).toBe(0);
  });

  it('stops a stream that grows past the limit, leaving nothing', async () => {
    const small = createStorage((await emulator.destination(APPS.fullDropbox, '/Fatal', { maxFileBytes: 6 * MIB })).destination);
    const error = await rejection(small.write('huge/grows.bin', generatedData(9 * MIB)));
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/^The backup grew past/);
    await expectNothingAt('huge/grows.bin');
  });

  it('fails a stream that does not match its declared size, leaving nothing', async () => {
    const longer = await rejection(storage.write('size/longer.bin', generatedData(6 * MIB), { size: 5 * MIB }));
    const shorter = await rejection(storage.write('size/shorter.bin', generatedData(5 * MIB), { size: 6 * MIB }));
    expect([longer.code, shorter.code]).toEqual(['integrity', 'integrity']);
    await expectNothingAt('size/longer.bin');
    await expectNothingAt('size/shorter.bin');
  });
});

describe('cancellation', () => {
  it('stops a multi-chunk upload mid-way with cancelled and commits nothing', async () => {
    const controller = new AbortController();
    const writing = storage.write('cancel/big.bin', generatedData(20 * MIB), {
      size: 20 * MIB,
      signal: controller.signal,
      onProgress: (bytes) => {
        if (bytes >= 8 * MIB) controller.abort();
      },
    });
    expect((await rejection(writing)).code).toBe('cancelled');
    await expectNothingAt('cancel/big.bin');
    const keys: string[] = [];
    for await (const file of storage.list('cancel')) keys.push(file.key);
    expect(keys).toEqual([]);
  });
});

describe('unreachable Dropbox', () => {
  it('reports unavailable with what to check once retries run out', async () => {
    const port = await freePort(); // nothing listens there
    const recorder = retryRecorder();
    const destination = createDropboxDestination(
      { appKey: 'k', appSecret: 's', refreshToken: 'r', folderPath: '' },
      { ...FAST_OPTIONS, apiBaseUrl: `http://127.0.0.1:${port}`, sleep: recorder.sleep },
    );
    const error = await rejection(destination.capabilities.usage!());
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`Cannot reach the Dropbox API at http://127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(recorder.waits).toHaveLength(FAST_OPTIONS.retry!.maxAttempts! - 1);
  });
});
