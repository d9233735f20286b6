import { ALL_SCOPES, startEmulator, type RunningEmulator } from '../../../emulator/src/index.ts';
import { createEmulatorControl, type EmulatorControl } from '../../../emulator/src/control-client.ts';

export const APP = { key: 'e2eappkey', secret: 'e2eappsecret', name: 'DBackup E2E' };
/** An app whose registered redirect URI is NOT DBackup's (redirect-mismatch case). */
export const MISMATCH_APP = { key: 'mismatchkey', secret: 'mismatchsecret', name: 'DBackup Misconfigured' };
/** An app without account_info.read (missing-scope case). */
export const NO_ACCOUNT_SCOPE_APP = { key: 'noaccountkey', secret: 'noaccountsecret', name: 'DBackup No Account Scope' };
/** An app without files.metadata.read (status names the missing scope). */
export const NO_LIST_SCOPE_APP = { key: 'nolistkey', secret: 'nolistsecret', name: 'DBackup No List Scope' };
export const ALICE = { name: 'Alice Example', email: 'alice@example.com' };
export const BOB = { name: 'Bob Example', email: 'bob@example.com' };

export interface EmulatorFixture {
  emulator: RunningEmulator;
  control: EmulatorControl;
  /** Creates folders in an account's Dropbox (through the real API, with a minted token). */
  createFolders(email: string, paths: string[], appKey?: string): Promise<void>;
}

/** The emulator with the apps and accounts the web tests use; `redirectUri` is DBackup's callback. */
export async function startEmulatorFixture(redirectUri: string): Promise<EmulatorFixture> {
  const emulator = await startEmulator({
    port: 0,
    host: '127.0.0.1',
    config: {
      apps: [
        { ...APP, redirectUris: [redirectUri], accessType: 'full_dropbox', scopes: [...ALL_SCOPES] },
        { ...MISMATCH_APP, redirectUris: ['https://elsewhere.example/api/adapters/dropbox/callback'], accessType: 'full_dropbox', scopes: [...ALL_SCOPES] },
        { ...NO_LIST_SCOPE_APP, redirectUris: [redirectUri], accessType: 'full_dropbox', scopes: ALL_SCOPES.filter((scope) => scope !== 'files.metadata.read') },
        { ...NO_ACCOUNT_SCOPE_APP, redirectUris: [redirectUri], accessType: 'full_dropbox', scopes: ALL_SCOPES.filter((scope) => scope !== 'account_info.read') },
      ],
      accounts: [ALICE, BOB],
    },
  });
  const control = createEmulatorControl(emulator.url);
  return {
    emulator,
    control,
    async createFolders(email, paths, appKey = APP.key) {
      const { accessToken } = await control.mintTokens({ appKey, accountEmail: email });
      for (const path of paths) {
        const response = await fetch(`${emulator.url}/2/files/create_folder_v2`, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ path }),
        });
        if (!response.ok) throw new Error(`create_folder_v2 ${path}: ${response.status} ${await response.text()}`);
      }
    },
  };
}
