import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { DropboxAuth } from 'dropbox';
import { ALL_SCOPES, startEmulator, type RunningEmulator } from '../src/index.ts';
import { rewritingFetch } from './support.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`Chromium is required in CI but ${CHROMIUM} does not exist`);

/** The consent page in a real browser: the buttons are real, Allow and Deny redirect back to the app. */
describe.skipIf(!haveChromium)('authorize page in Chromium', () => {
  let browser: Browser;
  let emulator: RunningEmulator;
  let app: Server;
  let callbackUrl: string;
  const received: URL[] = [];

  beforeAll(async () => {
    app = createServer((req, res) => {
      const url = new URL(req.url ?? '/', callbackUrl);
      if (url.pathname === '/callback') received.push(url);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('back in the app');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
    emulator = await startEmulator({
      config: {
        apps: [{ key: 'browser-key', secret: 'browser-secret', name: 'Browser App', redirectUris: [callbackUrl], accessType: 'app_folder', scopes: ALL_SCOPES }],
        accounts: [{ name: 'Ann', email: 'ann@example.com' }, { name: 'Bob', email: 'bob@example.com' }],
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });

  afterAll(async () => {
    await browser?.close();
    await emulator?.close();
    await new Promise((resolve) => app?.close(resolve));
  });

  async function authorizeUrl(auth: DropboxAuth, state: string): Promise<string> {
    const url = await auth.getAuthenticationUrl(callbackUrl, state, 'code', 'offline', undefined, 'none', true);
    return url.replace(/^https:\/\/(www\.)?dropbox\.com/, emulator.url);
  }

  it('Allow with a chosen account redirects with a code the SDK can exchange', async () => {
    const auth = new DropboxAuth({ clientId: 'browser-key', fetch: rewritingFetch(emulator.url) });
    const page = await browser.newPage();
    await page.goto(await authorizeUrl(auth, 'state-allow'));
    await expect(page.getByText('Browser App').first().isVisible()).resolves.toBe(true);
    await page.selectOption('select[name=account]', 'bob@example.com');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.waitForURL(/\/callback\?/);
    const back = received.at(-1)!;
    expect(back.searchParams.get('state')).toBe('state-allow');
    const code = back.searchParams.get('code')!;
    const tokens = (await auth.getAccessTokenFromCode(callbackUrl, code)).result as unknown as { refresh_token: string; account_id: string };
    expect(tokens.refresh_token).toBeTruthy();
    const info = (await (await fetch(`${emulator.url}/__emulator/info`)).json()) as { accounts: { email: string; account_id: string }[] };
    expect(tokens.account_id).toBe(info.accounts.find((a) => a.email === 'bob@example.com')!.account_id);
    await page.close();
  });

  it('Deny redirects with access_denied', async () => {
    const auth = new DropboxAuth({ clientId: 'browser-key', fetch: rewritingFetch(emulator.url) });
    const page = await browser.newPage();
    await page.goto(await authorizeUrl(auth, 'state-deny'));
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    await page.waitForURL(/\/callback\?/);
    const back = received.at(-1)!;
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('state-deny');
    await page.close();
  });
});
