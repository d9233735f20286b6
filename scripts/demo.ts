/**
 * `npm run demo`: the whole Dropbox flow offline. Starts the Dropbox API emulator with a ready
 * demo app and two demo accounts, then DBackup pointed at it (DBACKUP_DROPBOX_API_URL), with a
 * fresh data directory. Prints the App Key and App Secret to paste into the destination dialog.
 *
 * Settings: PORT (default 3000), PUBLIC_URL, DBACKUP_DATA_DIR (default: a new temp dir),
 * DEMO_EMULATOR_PORT (default 0 = any free port).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_SCOPES, startEmulator } from '../emulator/src/index.ts';
import { createEmulatorControl } from '../emulator/src/control-client.ts';
import { openMetadataStore } from '../src/adapters/store/open-metadata-store.ts';
import { createApp } from '../src/app.ts';
import { loadSettings } from '../src/core/config/settings.ts';
import { isDBackupError } from '../src/core/errors.ts';

const DEMO_APP = { key: 'dbackupdemokey', secret: 'dbackupdemosecret', name: 'DBackup Demo' };
const ACCOUNTS = [
  { name: 'Demo User', email: 'demo@example.com' },
  { name: 'Second Demo User', email: 'second@example.com' },
];
const DEMO_FOLDERS = ['/Backups', '/Backups/production', '/Backups/staging', '/Documents', '/Photos'];

async function main(): Promise<void> {
  const ownDataDir = !process.env.DBACKUP_DATA_DIR;
  const dataDir = process.env.DBACKUP_DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), 'dbackup-demo-')));
  const base = loadSettings({ ...process.env, DBACKUP_DATA_DIR: dataDir, DBACKUP_DROPBOX_API_URL: undefined });
  const redirectUri = `${base.publicUrl}/api/adapters/dropbox/callback`;

  const emulator = await startEmulator({
    port: Number(process.env.DEMO_EMULATOR_PORT ?? 0),
    config: {
      apps: [{ ...DEMO_APP, redirectUris: [redirectUri], accessType: 'full_dropbox', scopes: [...ALL_SCOPES] }],
      accounts: ACCOUNTS,
    },
  });
  await seedFolders(emulator.url);

  const settings = { ...base, dropboxApiUrl: emulator.url };
  // A per-demo key: the demo data is throwaway, so no key file or warning is needed.
  const opened = await openMetadataStore({ dataDir, encryptionKey: settings.encryptionKey ?? randomBytes(32).toString('hex') });
  const app = createApp({ settings, store: opened.store, staticDir: fileURLToPath(new URL('../dist/web', import.meta.url)) });
  await app.listen(settings.port);

  console.log(`
DBackup demo is running — everything stays on this machine.

  1. Open ${settings.publicUrl} and create the admin account.
  2. Destinations → Add Dropbox, and enter:
       App Key:    ${DEMO_APP.key}
       App Secret: ${DEMO_APP.secret}
  3. Save, click "Authorize with Dropbox", pick a demo account and click Allow.
  4. Browse, Select Folder, Save, then Connection → Test connection.

Dropbox API emulator: ${emulator.url} (accounts: ${ACCOUNTS.map((a) => a.email).join(', ')})
Data directory: ${dataDir}${ownDataDir ? ' (removed when the demo stops)' : ''}
Press Ctrl+C to stop.
`);

  const stop = () => {
    void app
      .close()
      .then(() => opened.store.close())
      .then(() => emulator.close())
      .then(() => (ownDataDir ? rm(dataDir, { recursive: true, force: true }) : undefined))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** A few folders in the first demo account, so the folder browser has something to show. */
async function seedFolders(emulatorUrl: string): Promise<void> {
  const control = createEmulatorControl(emulatorUrl);
  const first = ACCOUNTS[0];
  if (!first) return;
  const { accessToken } = await control.mintTokens({ appKey: DEMO_APP.key, accountEmail: first.email });
  for (const folder of DEMO_FOLDERS) {
    const response = await fetch(`${emulatorUrl}/2/files/create_folder_v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: folder }),
    });
    if (!response.ok) throw new Error(`Could not seed the demo folder ${folder}: ${response.status} ${await response.text()}`);
  }
  // The seeding token is not the user's authorization: revoke it so the demo starts clean.
  await fetch(`${emulatorUrl}/2/auth/token/revoke`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
}

main().catch((error: unknown) => {
  console.error(isDBackupError(error) ? error.message : error);
  process.exit(1);
});
