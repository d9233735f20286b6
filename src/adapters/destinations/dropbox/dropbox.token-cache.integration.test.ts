import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDropboxTokenCache } from './dropbox-auth.ts';
import { createDropboxDestination } from './dropbox.destination.ts';
import { ACCOUNT, APPS, countingFetch, FAST_OPTIONS, retryRecorder, startTestEmulator, type TestEmulator } from './dropbox-emulator.test-support.ts';
import { createDropboxSdk } from './dropbox-sdk.ts';

// Access tokens are cached per credential and refreshed once for all concurrent callers. The
// emulator's token endpoint is reached through a counting fetch, so a refresh per caller (what
// the bare SDK does) would show up as many token requests.

let emulator: TestEmulator;

beforeAll(async () => {
  // 10-minute tokens: the SDK's 5-minute margin leaves them valid on our side.
  emulator = await startTestEmulator({ accessTokenTtlSeconds: 600 });
});
afterAll(async () => {
  await emulator?.close();
});

async function credential(): Promise<{ appKey: string; appSecret: string; refreshToken: string; folderPath: string }> {
  const tokens = await emulator.control.mintTokens({ appKey: APPS.fullDropbox.key, accountEmail: ACCOUNT.email });
  return { appKey: APPS.fullDropbox.key, appSecret: APPS.fullDropbox.secret, refreshToken: tokens.refreshToken, folderPath: '/Tokens' };
}

describe('token cache', () => {
  it('concurrent callers on several destinations of one credential refresh once', async () => {
    const counter = countingFetch();
    const tokenCache = createDropboxTokenCache();
    const config = await credential();
    const destinations = [1, 2, 3].map(() =>
      createDropboxDestination(config, { ...FAST_OPTIONS, apiBaseUrl: emulator.url, fetch: counter.fetch, tokenCache }),
    );
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => destinations[i % 3]!.stat(`missing-${i}.txt`)));
    expect(results.every((result) => result === undefined)).toBe(true);
    expect(counter.counts.get('/2/files/get_metadata')).toBe(30);
    expect(counter.counts.get('/oauth2/token')).toBe(1);

    // Later calls reuse the cached token.
    await destinations[0]!.stat('again.txt');
    expect(counter.counts.get('/oauth2/token')).toBe(1);
  });

  it('each credential gets its own token', async () => {
    const counter = countingFetch();
    const tokenCache = createDropboxTokenCache();
    const [first, second] = [await credential(), await credential()];
    const a = createDropboxDestination(first, { ...FAST_OPTIONS, apiBaseUrl: emulator.url, fetch: counter.fetch, tokenCache });
    const b = createDropboxDestination(second, { ...FAST_OPTIONS, apiBaseUrl: emulator.url, fetch: counter.fetch, tokenCache });
    await Promise.all([a.stat('x'), b.stat('x'), a.stat('y'), b.stat('y')]);
    expect(counter.counts.get('/oauth2/token')).toBe(2);
    expect(tokenCache.size).toBe(2);
  });

  it('after the server expires the token, concurrent callers refresh once more, then succeed', async () => {
    const counter = countingFetch();
    const recorder = retryRecorder();
    const config = await credential();
    const destination = createDropboxDestination(config, {
      ...FAST_OPTIONS,
      apiBaseUrl: emulator.url,
      fetch: counter.fetch,
      tokenCache: createDropboxTokenCache(),
      logger: recorder.logger,
    });
    await destination.stat('warm-up.txt');
    expect(counter.counts.get('/oauth2/token')).toBe(1);
    // The emulator's clock moves past the token's lifetime; ours does not, so the SDK still thinks
    // the token is good and every caller meets a 401 expired_access_token.
    await emulator.control.advanceClock(3600);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => destination.stat(`after-expiry-${i}.txt`)));
    expect(results.every((result) => result === undefined)).toBe(true);
    expect(counter.counts.get('/oauth2/token')).toBe(2);
    expect(recorder.logs.filter((line) => line.message.includes('access token expired')).length).toBeGreaterThan(0);
    expect(JSON.stringify(recorder.logs)).not.toContain(config.refreshToken);
  });

  it('the SDK factory shares the cache with destinations (for the web app)', async () => {
    const counter = countingFetch();
    const tokenCache = createDropboxTokenCache();
    const config = await credential();
    const sdk = createDropboxSdk({ ...config, apiBaseUrl: emulator.url, fetch: counter.fetch, tokenCache });
    const account = await sdk.client.usersGetCurrentAccount();
    expect(account.result.email).toBe(ACCOUNT.email);
    const destination = createDropboxDestination(config, { ...FAST_OPTIONS, apiBaseUrl: emulator.url, fetch: counter.fetch, tokenCache });
    await destination.stat('shared.txt');
    expect(counter.counts.get('/oauth2/token')).toBe(1);
    expect(sdk.rewriteUrl('https://www.dropbox.com/oauth2/authorize?client_id=x')).toBe(`${emulator.url}/oauth2/authorize?client_id=x`);
  });
});
