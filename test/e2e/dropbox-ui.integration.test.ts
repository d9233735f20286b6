import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, APP, BOB, MISMATCH_APP, startEmulatorFixture, type EmulatorFixture } from './support/emulator-fixture.ts';
import { buildUi } from './support/build-ui.ts';
import { chromiumAvailable, launchChromium, screenshot } from './support/browser.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

const PASSWORD = 'correct horse battery';
const run = chromiumAvailable() ? describe : describe.skip;

let app: TestApp;
let fixture: EmulatorFixture;
let browser: Browser;
let page: Page;
let uiDir: string;

run('Dropbox destination in the browser', () => {
  beforeAll(async () => {
    uiDir = await buildUi();
    app = await createTestApp();
    fixture = await startEmulatorFixture(app.redirectUri);
    app.start({ dropboxApiUrl: fixture.emulator.url, staticDir: uiDir });
    await fixture.createFolders(ALICE.email, ['/Backups', '/Backups/db1', '/Backups/db2', '/Photos']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await fixture?.emulator.close();
    if (uiDir) await rm(uiDir, { recursive: true, force: true });
  });

  const dialog = () => page.getByRole('dialog').first();
  const row = (name: string) => page.locator(`tr[data-destination="${name}"]`);

  /** Clicks `button` (which opens the consent popup), decides there, and waits for the popup to finish. */
  async function consentInPopup(click: () => Promise<void>, decision: 'Allow' | 'Deny', accountEmail: string, shot?: string): Promise<void> {
    const [popup] = await Promise.all([page.waitForEvent('popup'), click()]);
    await popup.waitForURL(/oauth2\/authorize/);
    await popup.locator('#account').selectOption(accountEmail);
    if (shot) await screenshot(popup, shot);
    await Promise.all([popup.waitForEvent('close'), popup.getByRole('button', { name: decision }).click()]);
  }

  it('creates the admin account on first run', async () => {
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Welcome to DBackup' }).waitFor();
    await page.locator('#setup-password').fill(PASSWORD);
    await page.locator('#setup-confirm').fill(PASSWORD);
    await screenshot(page, '01-setup');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('heading', { name: 'Destinations' }).waitFor();
  });

  it('adds a Dropbox destination, validating fields, and shows amber "Authorization required"', async () => {
    await page.getByRole('button', { name: 'Add Dropbox' }).click();
    await expect.poll(() => dialog().getByRole('tab', { name: 'Configuration' }).getAttribute('aria-selected')).toBe('true');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Name is required.').waitFor();
    await dialog().getByText('App Key is required.').waitFor();
    await page.locator('#dest-name').fill('Team Dropbox');
    await page.locator('#dest-app-key').fill(APP.key);
    await page.locator('#dest-app-secret').fill(APP.secret);
    await page.locator('#dest-folder').fill('backups/');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Start the folder path with "/"').waitFor();
    await page.locator('#dest-folder').fill('');
    expect(await dialog().getByTestId('redirect-uri').textContent()).toBe(app.redirectUri);
    expect(await dialog().getByRole('button', { name: 'Browse' }).isDisabled()).toBe(true);
    await screenshot(page, '02-dropbox-dialog');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Authorization required', { exact: true }).waitFor();
    await dialog().getByRole('button', { name: 'Authorize with Dropbox' }).waitFor();
    await page.getByText('set', { exact: true }).first().waitFor();
  });

  it('authorizes through the consent popup: green toast, then "Authorized" with the account', async () => {
    await consentInPopup(() => dialog().getByRole('button', { name: 'Authorize with Dropbox' }).click(), 'Allow', ALICE.email, '03-consent');
    await page.getByRole('status').filter({ hasText: `Dropbox authorized as ${ALICE.name}.` }).waitFor();
    await dialog().getByText('Authorized', { exact: true }).waitFor();
    await dialog().getByText(`as ${ALICE.name}`).waitFor();
    await screenshot(page, '04-authorized');
  });

  it('browses folders: double-click, breadcrumb, Up, Home, single-click, Select Folder', async () => {
    await dialog().getByRole('button', { name: 'Browse' }).click();
    const browserDialog = page.getByRole('dialog', { name: 'Browse Dropbox folders' });
    const folders = browserDialog.getByRole('option');
    await browserDialog.getByRole('option', { name: /Backups/ }).dblclick();
    await browserDialog.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'Backups', exact: true }).waitFor();
    await expect.poll(() => folders.allTextContents()).toEqual([expect.stringContaining('db1'), expect.stringContaining('db2')]);
    await browserDialog.getByRole('option', { name: /db1/ }).dblclick();
    await browserDialog.getByText('No subfolders').waitFor();
    await browserDialog.getByText('files.metadata.read').waitFor();
    await browserDialog.getByRole('button', { name: 'Up', exact: true }).click();
    await browserDialog.getByRole('option', { name: /db2/ }).waitFor();
    await browserDialog.getByRole('button', { name: 'Home', exact: true }).click();
    await browserDialog.getByRole('option', { name: /Photos/ }).waitFor();
    await browserDialog.getByRole('option', { name: /Backups/ }).dblclick();
    await browserDialog.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'Dropbox', exact: true }).click();
    await browserDialog.getByRole('option', { name: /Photos/ }).waitFor();
    await browserDialog.getByRole('option', { name: /Backups/ }).dblclick();
    await browserDialog.getByRole('option', { name: /db2/ }).click();
    await browserDialog.getByText('Selected: /Backups/db2').waitFor();
    await screenshot(page, '05-folder-browser');
    await browserDialog.getByRole('button', { name: 'Select Folder' }).click();
    await expect.poll(() => page.locator('#dest-folder').inputValue()).toBe('/Backups/db2');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Destination "Team Dropbox" saved.' }).last().waitFor();
    const stored = (await app.store.destinations.list()).find((destination) => destination.name === 'Team Dropbox');
    expect(stored?.config.folderPath).toBe('/Backups/db2');
  });

  it('tests the connection: account, folder and write/delete', async () => {
    await dialog().getByRole('tab', { name: 'Connection' }).click();
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    const result = dialog().getByTestId('test-result');
    await result.getByText('Connection works.').waitFor();
    expect(await result.textContent()).toContain(`Account: ${ALICE.name}`);
    expect(await result.textContent()).toContain('Folder: /Backups/db2');
    expect(await result.textContent()).toContain('Write and delete test file: ok');
    await screenshot(page, '06-test-connection');
    await dialog().getByRole('button', { name: 'Close' }).click();
    await row('Team Dropbox').getByText('Authorized', { exact: true }).waitFor();
    expect(await row('Team Dropbox').textContent()).toContain('/Backups/db2');
    await screenshot(page, '07-destinations');
  });

  it('turns amber with Re-authorize after the token is revoked in Dropbox', async () => {
    await fixture.control.revokeApp(APP.key);
    await page.reload();
    await row('Team Dropbox').getByText('Authorization required', { exact: true }).waitFor();
    await row('Team Dropbox').getByText(/revoked/).waitFor();
    await row('Team Dropbox').getByRole('button', { name: 'Re-authorize' }).waitFor();
    await screenshot(page, '08-reauthorize');
  });

  it('keeps the status on Deny and says what happened', async () => {
    await consentInPopup(() => row('Team Dropbox').getByRole('button', { name: 'Re-authorize' }).click(), 'Deny', ALICE.email);
    await page.getByRole('alert').filter({ hasText: 'Deny was clicked' }).waitFor();
    await row('Team Dropbox').getByText('Authorization required', { exact: true }).waitFor();
  });

  it('re-authorizes with another account', async () => {
    await consentInPopup(() => row('Team Dropbox').getByRole('button', { name: 'Re-authorize' }).click(), 'Allow', BOB.email);
    await page.getByRole('status').filter({ hasText: `Dropbox authorized as ${BOB.name}.` }).waitFor();
    await row('Team Dropbox').getByText(`as ${BOB.name}`).waitFor();
  });

  it('shows folder browser errors inline', async () => {
    await row('Team Dropbox').getByRole('button', { name: 'Edit' }).click();
    await page.locator('#dest-folder').fill('/Does-not-exist');
    await dialog().getByRole('button', { name: 'Browse' }).click();
    const browserDialog = page.getByRole('dialog', { name: 'Browse Dropbox folders' });
    await browserDialog.getByRole('alert').waitFor();
    expect(await browserDialog.getByRole('button', { name: 'Select Folder' }).isDisabled()).toBe(true);
    await browserDialog.getByRole('button', { name: 'Home', exact: true }).click();
    // Bob's Dropbox (authorized last) has no folders at all.
    await browserDialog.getByText('No subfolders').waitFor();
    await browserDialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog().getByRole('button', { name: 'Close' }).click();
  });

  it('shows the redirect-mismatch error page and the URL to register', async () => {
    await page.getByRole('button', { name: 'Add Dropbox' }).click();
    await page.locator('#dest-name').fill('Misconfigured');
    await page.locator('#dest-app-key').fill(MISMATCH_APP.key);
    await page.locator('#dest-app-secret').fill(MISMATCH_APP.secret);
    await dialog().getByRole('button', { name: 'Save' }).click();
    const [popup] = await Promise.all([page.waitForEvent('popup'), dialog().getByRole('button', { name: 'Authorize with Dropbox' }).click()]);
    await popup.getByText(/redirect_uri/).first().waitFor();
    await screenshot(popup, '09-redirect-mismatch');
    await popup.close();
    expect(await dialog().getByTestId('redirect-uri').textContent()).toBe(app.redirectUri);
  });

  it('falls back to a full-page redirect when the browser blocks popups', async () => {
    const context = await browser.newContext();
    await context.addCookies(await page.context().cookies());
    const tab = await context.newPage();
    await tab.addInitScript(() => {
      window.open = () => null;
    });
    await tab.goto(`${app.url}/destinations`);
    await tab.locator('tr[data-destination="Team Dropbox"]').getByRole('button', { name: 'Re-authorize' }).click();
    await tab.waitForURL(/oauth2\/authorize/);
    await tab.locator('#account').selectOption(ALICE.email);
    await tab.getByRole('button', { name: 'Allow' }).click();
    await tab.waitForURL(`${app.url}/destinations`);
    await tab.getByRole('status').filter({ hasText: `Dropbox authorized as ${ALICE.name}.` }).waitFor();
    await tab.locator('tr[data-destination="Team Dropbox"]').getByText(`as ${ALICE.name}`).waitFor();
    await context.close();
  });

  it('adds a local folder destination that is ready at once', async () => {
    await page.goto(`${app.url}/destinations`);
    await page.getByRole('button', { name: 'Add local folder' }).click();
    await page.locator('#dest-name').fill('Local disk');
    await page.locator('#dest-path').fill('relative/path');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Use an absolute path').waitFor();
    await page.locator('#dest-path').fill(`${uiDir}/local-backups`);
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Ready', { exact: true }).waitFor();
    await dialog().getByRole('tab', { name: 'Connection' }).click();
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    await dialog().getByTestId('test-result').getByText('Connection works.').waitFor();
    await dialog().getByRole('button', { name: 'Close' }).click();
    await row('Local disk').getByText('Ready', { exact: true }).waitFor();
  });

  it('creates an API token that is shown once', async () => {
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('nightly-script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = await page.locator('.token-value').textContent();
    expect(shown).toMatch(/^dbk_/);
    await page.getByRole('cell', { name: 'nightly-script' }).waitFor();
    await screenshot(page, '10-api-tokens');
    await page.reload();
    await page.getByRole('cell', { name: 'nightly-script' }).waitFor();
    expect(await page.content()).not.toContain(shown ?? 'missing');
  });

  it('signs out and back in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to DBackup' }).waitFor();
    await page.locator('#login-username').fill('admin');
    await page.locator('#login-password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    await screenshot(page, '11-login');
    await page.locator('#login-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  });
});
