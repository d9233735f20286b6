import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, screenshot } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

/**
 * The Notifications page in headless Chromium against a local webhook receiver: add a webhook
 * (fields checked), see its URL masked, "Send test" with a toast for success and for an HTTP 500,
 * switch it off, delete it.
 */
const run = chromiumAvailable() ? describe : describe.skip;

let app: TestApp;
let browser: Browser;
let page: Page;
let uiDir: string;
let receiver: Server;
let hookBase: string;
const received: Array<{ url: string; body: { event?: string } }> = [];

run('notifications page in the browser', () => {
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ url: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event?: string } });
        response.writeHead(request.url?.startsWith('/down') ? 500 : 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    uiDir = await buildUi();
    app = await createTestApp();
    app.start({ dropboxApiUrl: undefined, staticDir: uiDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    if (uiDir) await rm(uiDir, { recursive: true, force: true });
  });

  const dialog = () => page.getByRole('dialog').first();
  const row = () => page.locator('tr[data-webhook="Ops Slack"]');
  const toastText = (text: string | RegExp) => page.locator('.toasts .toast').filter({ hasText: text });
  const dismissToasts = async () => {
    await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.toasts button').forEach((button) => button.click()));
    await page.locator('.toasts .toast').first().waitFor({ state: 'detached' });
  };

  it('adds a webhook, checking its fields, and shows the URL masked', async () => {
    await page.goto(app.url);
    await page.locator('#setup-password').fill('correct horse battery');
    await page.locator('#setup-confirm').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('heading', { name: 'Destinations' }).waitFor();
    await page.locator('.topbar nav').getByRole('link', { name: 'Notifications', exact: true }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    expect(page.url()).toBe(`${app.url}/notifications`);

    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.locator('#webhook-url').fill('ftp://nope');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.locator('#webhook-name-error').waitFor();
    expect(await page.locator('#webhook-url-error').textContent()).toBe('Must start with http:// or https://.');

    await page.locator('#webhook-name').fill('Ops Slack');
    await page.locator('#webhook-url').fill(`${hookBase}/services/T000/very-secret`);
    await dialog().getByLabel('Run succeeded').check();
    await dialog().getByRole('button', { name: 'Save' }).click();
    await row().waitFor();
    expect(await row().locator('code').textContent()).toBe(`${hookBase}/••••••`);
    expect(await row().getByTestId('webhook-events').textContent()).toBe('failed, partial, interrupted, succeeded');
    expect(await page.content()).not.toContain('very-secret');
    await dismissToasts();
  });

  it('"Send test" shows a success toast and the receiver gets the sample', async () => {
    received.length = 0;
    await row().getByRole('button', { name: 'Send test' }).click();
    await toastText('Test notification delivered to "Ops Slack"').waitFor();
    expect(received).toEqual([{ url: '/services/T000/very-secret', body: expect.objectContaining({ event: 'test' }) }]);
    await dismissToasts();
  });

  it('"Send test" shows the exact failure after the URL is changed to one that answers 500', async () => {
    await row().getByRole('button', { name: 'Edit' }).click();
    expect(await page.locator('#webhook-url').inputValue()).toBe('');
    await page.locator('#webhook-url').fill(`${hookBase}/down/x`);
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().waitFor({ state: 'detached' });
    await dismissToasts();
    await row().getByRole('button', { name: 'Send test' }).click();
    const failure = toastText('Test of "Ops Slack" failed');
    await failure.waitFor();
    expect(await failure.textContent()).toContain(`${hookBase} answered HTTP 500`);
    await screenshot(page, 'notifications-test-failed');
    await dismissToasts();
  });

  it('switches the webhook off and deletes it', async () => {
    // The box follows the stored state, so it changes once the API has saved it.
    await row().getByLabel('Enabled: Ops Slack').click();
    await row().getByText('off', { exact: true }).waitFor();
    const stored = await app.store.webhooks.list();
    expect(stored.map((w) => [w.name, w.enabled, w.url.reveal()])).toEqual([['Ops Slack', false, `${hookBase}/down/x`]]);
    page.once('dialog', (confirm) => void confirm.accept());
    await row().getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No webhooks yet.').waitFor();
    expect(await app.store.webhooks.list()).toEqual([]);
  });
});
