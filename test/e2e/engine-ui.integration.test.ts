import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_POSTGRES } from '../../src/adapters/sources/postgres/postgres.fixture.ts';
import { generateTestCertificates } from '../../src/adapters/sources/tls/test-certificates.fixture.ts';
import { chromiumAvailable, launchChromium, screenshot } from './support/browser.ts';
import { buildUi } from './support/build-ui.ts';
import { readCustomers } from './support/engine-fixture.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

/**
 * The backup engine end to end in the browser: a SQLite source, a local destination, an
 * encryption profile and a job; Run now with live progress; the explorer verifies the backup and
 * restores it into a new SQLite file; the restore history shows it, and warns about a restore cut
 * short by a crash; the dashboard shows the run.
 */
const PASSWORD = 'correct horse battery';
const run = chromiumAvailable() ? describe : describe.skip;

let app: TestApp;
let browser: Browser;
let page: Page;
let uiDir: string;
let dir: string;
let dbFile: string;

/** ~25 MiB of SQL: big enough that the run takes a few seconds and its progress can be watched. */
function createBusyDatabase(file: string): void {
  const db = new DatabaseSync(file);
  db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, avatar BLOB)');
  db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
  const customer = db.prepare('INSERT INTO customers (name, avatar) VALUES (?, ?)');
  const event = db.prepare('INSERT INTO events (payload) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 1; i <= 200; i++) customer.run(`Kunde ${i} — Grüße ✓`, Buffer.from([i % 256, 0, 255]));
  let seed = 7;
  for (let i = 0; i < 120_000; i++) {
    let payload = '';
    for (let j = 0; j < 12; j++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      payload += seed.toString(36).padStart(6, '0');
    }
    event.run(`${i}:${payload}${payload}${payload}`);
  }
  db.exec('COMMIT');
  db.close();
}

run('backup engine in the browser', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dbk-engine-ui-'));
    dbFile = path.join(dir, 'data', 'app.sqlite');
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(dbFile), { recursive: true }));
    createBusyDatabase(dbFile);
    uiDir = await buildUi();
    app = await createTestApp();
    app.start({ dropboxApiUrl: undefined, staticDir: uiDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (uiDir) await rm(uiDir, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const dialog = () => page.getByRole('dialog').first();
  /** Toasts sit in the bottom-right corner, over the footer of tall dialogs: clear them first. */
  const dismissToasts = async () => {
    await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('.toasts button').forEach((button) => button.click()));
    await page.locator('.toasts .toast').first().waitFor({ state: 'detached' });
  };
  const nav = (label: string) => page.locator('.topbar nav').getByRole('link', { name: label, exact: true });

  it('sets up the admin and a local destination', async () => {
    await page.goto(app.url);
    await page.locator('#setup-password').fill(PASSWORD);
    await page.locator('#setup-confirm').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('heading', { name: 'Destinations' }).waitFor();
    await page.getByRole('button', { name: 'Add local folder' }).click();
    await page.locator('#dest-name').fill('Local disk');
    await page.locator('#dest-path').fill(path.join(dir, 'backups'));
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Ready', { exact: true }).waitFor();
    await dialog().getByRole('button', { name: 'Close', exact: true }).click();
  });

  it('adds a SQLite source, validating fields and testing the connection', async () => {
    await nav('Sources').click();
    await page.getByRole('heading', { name: 'Sources' }).waitFor();
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.locator('#source-type').selectOption('sqlite');
    await page.locator('#source-path').fill('data/app.sqlite');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().getByText('Name is required.').waitFor();
    await dialog().getByText('Use an absolute path').waitFor();
    await page.locator('#source-name').fill('App database');
    await page.locator('#source-path').fill(dbFile);
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    await dialog().getByTestId('source-test-result').getByText(/Connected: SQLite file 3\./).waitFor();
    await screenshot(page, 'engine-01-source-dialog');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await page.locator('tr[data-source="App database"]').waitFor();
  });

  it('sets TLS for a server source: the CA field only for the verify modes, checked beside it, and a clear refusal from a server without TLS', async () => {
    const certs = await generateTestCertificates();
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.locator('#source-name').fill('Managed PG');
    await page.locator('#source-host').fill(TEST_POSTGRES.host);
    await page.locator('#source-port').fill(String(TEST_POSTGRES.port));
    await page.locator('#source-username').fill(TEST_POSTGRES.user);
    expect(await page.locator('#source-tls').inputValue()).toBe('prefer');
    expect(await page.locator('#source-ca').count()).toBe(0);

    await page.locator('#source-tls').selectOption('verify-full');
    await page.locator('#source-ca').fill('MIIB this is not PEM');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await dialog().locator('#source-ca-error').getByText('Paste the CA certificate in PEM format').waitFor();

    // The local server has no TLS.
    await page.locator('#source-tls').selectOption('require');
    expect(await page.locator('#source-ca').count()).toBe(0);
    await dialog().getByRole('button', { name: 'Test connection' }).click();
    await dialog().getByTestId('source-test-result').getByText(/does not accept TLS connections, but the source's TLS mode is "require"\. Enable SSL on the server/).waitFor();

    await page.locator('#source-tls').selectOption('verify-full');
    await page.locator('#source-ca').fill(certs.caCert);
    await screenshot(page, 'engine-01b-source-tls');
    await dialog().getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tr[data-source="Managed PG"]');
    await row.getByTestId('source-tls').getByText('TLS verify-full').waitFor();
    const stored = (await app.store.sources.list()).find((source) => source.name === 'Managed PG');
    expect(stored?.options).toEqual({ sslmode: 'verify-full', caCertificate: certs.caCert });

    await row.getByRole('button', { name: 'Edit' }).click();
    expect(await page.locator('#source-tls').inputValue()).toBe('verify-full');
    expect(await page.locator('#source-ca').inputValue()).toBe(certs.caCert);
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await app.store.sources.delete(stored!.id);
  });

  it('creates an encryption profile and shows the warning before exporting its key', async () => {
    await nav('Encryption').click();
    await page.getByLabel('Profile name').fill('Offsite');
    await page.getByRole('button', { name: 'Create profile' }).click();
    const profileRow = page.locator('tr[data-profile="Offsite"]');
    await profileRow.waitFor();
    await profileRow.getByRole('button', { name: 'Export key' }).click();
    await dialog().getByText('Anyone with this key file can decrypt every backup').waitFor();
    await screenshot(page, 'engine-02-key-export-warning');
    const [download] = await Promise.all([page.waitForEvent('download'), dialog().getByRole('button', { name: /I understand/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^dbackup-key-Offsite-[0-9a-f]{8}\.json$/);
    const keyFile = path.join(dir, download.suggestedFilename());
    await download.saveAs(keyFile);
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toMatchObject({ name: 'Offsite' });
    await dialog().getByRole('button', { name: 'Close', exact: true }).click();
  });

  it('creates a job with a schedule preview, retention and encryption', async () => {
    await nav('Jobs').click();
    await page.getByRole('button', { name: 'New job' }).click();
    await dialog().getByRole('button', { name: 'Save job' }).click();
    await dialog().getByText('Name is required.').waitFor();
    await dialog().getByText('Choose at least one destination.').waitFor();
    await page.locator('#job-name').fill('App nightly');
    await expect.poll(() => page.locator('#job-database').inputValue()).toBe('app.sqlite');
    await dialog().getByRole('group', { name: 'Destinations' }).getByLabel(/Local disk/).check();
    await dialog().getByLabel(/Run on a schedule/).check();
    await dialog().getByRole('button', { name: 'Daily' }).click();
    await page.locator('#job-timezone').fill('Europe/Berlin');
    await expect.poll(() => dialog().getByTestId('schedule-preview').locator('li').count()).toBe(5);
    await page.locator('#job-cron').fill('0 25 * * *');
    await dialog().getByText(/not a valid cron expression/).waitFor();
    await dialog().getByRole('button', { name: 'Daily' }).click();
    await page.locator('#job-profile').selectOption({ label: 'Offsite' });
    await dialog().getByLabel('Keep the last N').check();
    await page.locator('#retention-last').fill('7');
    await screenshot(page, 'engine-03-job-dialog');
    await dismissToasts();
    await dialog().getByRole('button', { name: 'Save job' }).click();
    const jobRow = page.locator('tr[data-job="App nightly"]');
    await jobRow.waitFor();
    await jobRow.getByText('Never run').waitFor();
    await jobRow.getByText(/^in \d+/).waitFor(); // next run
  });

  it('runs the job now and follows its live progress to success', async () => {
    await page.locator('tr[data-job="App nightly"]').getByRole('button', { name: 'Run now' }).click();
    await page.getByTestId('run-progress').waitFor();
    await expect.poll(() => page.getByTestId('run-stage').textContent(), { timeout: 20_000 }).toMatch(/Dumping/);
    await screenshot(page, 'engine-04-run-progress');
    await page.locator('h1 [data-status="success"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('run-log').getByText('Run finished: success.').waitFor();
    expect(await page.getByTestId('run-progress').count()).toBe(0);
    await page.getByRole('cell', { name: 'Local disk' }).waitFor();
    await screenshot(page, 'engine-05-run-success');
    await nav('Runs').click();
    await page.locator('tr[data-run] [data-status="success"]').first().waitFor();
  });

  it('verifies the backup in the storage explorer and restores it into a new SQLite file', async () => {
    await nav('Storage').click();
    const folder = page.locator('[data-folder="App-nightly"]');
    await folder.waitFor();
    const backupRow = folder.locator('tr[data-backup]').first();
    await backupRow.getByText('encrypted · Offsite').waitFor();
    await backupRow.getByText('not verified').waitFor();
    await backupRow.getByRole('button', { name: 'Verify' }).click();
    await backupRow.getByTestId('verify-result').getByText(/Content hash matches the sidecar/).waitFor();
    await backupRow.getByTestId('verified-badge').waitFor();
    await screenshot(page, 'engine-06-explorer-verified');

    const [download] = await Promise.all([page.waitForEvent('download'), backupRow.getByRole('link', { name: 'Download .sql' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^backup_[\dT-]+\.sql$/);
    const sqlFile = path.join(dir, 'downloaded.sql');
    await download.saveAs(sqlFile);
    expect(await readFile(sqlFile, 'utf8')).toContain('Kunde 200 — Grüße ✓');

    // A PostgreSQL target offers to skip ownership and a MariaDB one to skip definers (for a server
    // without the backup's accounts); SQLite offers neither.
    const pg = await app.store.sources.create({ type: 'postgres', name: 'Other PG', host: '127.0.0.1', port: 5432, username: 'postgres' });
    const maria = await app.store.sources.create({ type: 'mariadb', name: 'Other MariaDB', host: '127.0.0.1', port: 3306, username: 'root' });
    await backupRow.getByRole('button', { name: 'Restore…' }).click();
    await expect.poll(() => page.locator('#restore-source').inputValue()).not.toBe('');
    const sqliteSource = await page.locator('#restore-source').inputValue();
    const skipOwnership = dialog().getByLabel(/Skip ownership and privileges/);
    const skipDefiners = dialog().getByLabel(/Skip definers/);
    await page.locator('#restore-source').selectOption(pg.id);
    await skipOwnership.waitFor();
    expect(await skipDefiners.count()).toBe(0);
    await page.locator('#restore-source').selectOption(maria.id);
    await skipDefiners.waitFor();
    await skipOwnership.waitFor({ state: 'detached' });
    await page.locator('#restore-source').selectOption(sqliteSource);
    await skipDefiners.waitFor({ state: 'detached' });
    await page.locator('#restore-database').fill('restored');
    await dialog().getByRole('button', { name: 'Start restore' }).click();
    await dialog().getByTestId('restore-status').getByText('success').waitFor({ timeout: 60_000 });
    await dialog().getByText('Restore finished successfully.').waitFor();
    await screenshot(page, 'engine-07-restore-done');
    await dialog().getByRole('button', { name: 'Close', exact: true }).click();
    const restored = path.join(dir, 'data', 'restored.sqlite');
    expect(readCustomers(restored)).toEqual(readCustomers(dbFile));
  });

  it('lists the restore in the restore history, with its details and log', async () => {
    await nav('Restores').click();
    await page.getByRole('heading', { name: 'Restores' }).waitFor();
    const row = page.locator('tr[data-restore]').first();
    await row.locator('[data-status="success"]').waitFor();
    await row.getByText('restored.sqlite').waitFor();
    await row.getByText('on App database').waitFor();
    await row.getByText(/^backup_[\dT-]+\.sql\.gz\.enc$/).waitFor();
    await row.getByText('Local disk').waitFor();
    expect(await page.getByTestId('interrupted-restores').count()).toBe(0);
    await row.getByRole('link').click();
    await page.locator('h1').getByText('Restore into restored.sqlite').waitFor();
    await page.locator('h1 [data-status="success"]').waitFor();
    await page.getByText('Options: create the database if missing').waitFor();
    await page.getByTestId('restore-log').getByText('Restore finished successfully.').waitFor();
    await screenshot(page, 'engine-08-restore-detail');
  });

  it('warns loudly about a restore cut short by a crash, on the restore page, its detail and the dashboard', async () => {
    // What a `dbackup restore` killed mid-way leaves: a running restore whose process has ended
    // (one on another host counts as ended).
    const [done] = await app.store.restores.list({ limit: 1 });
    const crashed = await app.store.restores.create({
      destinationId: done!.destinationId, key: done!.key, sourceId: done!.sourceId, sourceName: 'App database', database: 'half.sqlite',
      options: { createDatabase: true, dropExisting: false, skipOwnership: false }, owner: 'gone-host 4242 1',
    });
    await app.store.restores.update(crashed.id, { stage: 'restoring' });
    await page.getByRole('button', { name: 'All restores' }).click();
    const notice = page.getByTestId('interrupted-restores');
    await notice.getByText('"half.sqlite" on App database').waitFor();
    await notice.getByText(/may be only partly restored/).waitFor();
    const row = page.locator(`tr[data-restore="${crashed.id}"]`);
    await row.locator('[data-status="interrupted"]').waitFor();
    await screenshot(page, 'engine-09-restores-interrupted');
    await row.getByRole('link').click();
    const warning = page.getByTestId('restore-interrupted');
    await warning.getByText('The database may be incomplete.').waitFor();
    await warning.getByText(/DBackup stopped while restoring backup_.* into database "half.sqlite" on App database/).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel restore' }).count()).toBe(0);
    await page.getByTestId('restore-log').locator('.error').getByText(/or drop that database, before using it/).waitFor();
    await screenshot(page, 'engine-10-restore-interrupted');
    await nav('Dashboard').click();
    await page.getByTestId('interrupted-restores').getByRole('link', { name: 'Show interrupted restores' }).click();
    await page.locator(`tr[data-restore="${crashed.id}"]`).waitFor();
    expect(await page.locator('tr[data-restore]').count()).toBe(1);
  });

  it('shows the run on the dashboard with both charts', async () => {
    await nav('Dashboard').click();
    const jobRow = page.getByTestId('dashboard-jobs').locator('tr[data-job="App nightly"]');
    await jobRow.locator('[data-status="success"]').waitFor();
    await jobRow.getByText(/in \d+ (h|min)/).waitFor();
    await page.getByTestId('outcomes-chart').locator('rect[data-kind="success"]').first().waitFor();
    await page.getByTestId('size-chart').locator('circle').first().waitFor();
    await screenshot(page, 'engine-11-dashboard');
  });
});
