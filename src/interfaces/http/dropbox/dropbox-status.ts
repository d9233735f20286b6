import type { DestinationRecord } from '../../../ports/metadata-store.port.ts';
import type { DestinationStatusView } from '../services/services.ts';
import { dropboxCallError, sdkFor, type DropboxConnectionOptions } from '../../../adapters/destinations/dropbox/oauth/dropbox-connection.ts';

/**
 * The live status of a Dropbox destination: refreshes the access token with the stored refresh
 * token and asks for the account (then the space usage). Never throws for Dropbox failures; they
 * become a status with a reason and a message that says what to do.
 */
export async function checkDropboxStatus(record: DestinationRecord, options: DropboxConnectionOptions & { redirectUri: string }): Promise<DestinationStatusView> {
  const appKey = record.secrets.appKey?.reveal() ?? '';
  const appSecret = record.secrets.appSecret?.reveal() ?? '';
  const refreshToken = record.secrets.refreshToken?.reveal();
  if (appKey === '' || appSecret === '') {
    return { state: 'error', reason: 'missing_credentials', hasToken: false, message: 'Enter the App Key and App Secret from the Dropbox App Console, then save.' };
  }
  if (!refreshToken) {
    return { state: 'authorization_required', reason: 'not_authorized', hasToken: false, message: 'Click Authorize with Dropbox to connect your Dropbox account.' };
  }
  const sdk = sdkFor({ appKey, appSecret }, options, refreshToken);
  try {
    const account = (await sdk.client.usersGetCurrentAccount()).result;
    // files.metadata.read is what the folder browser and every backup listing need; a missing
    // scope shows up here by name instead of later in a failed backup.
    const folderPath = typeof record.config.folderPath === 'string' ? record.config.folderPath : '';
    await sdk.client.filesListFolder({ path: folderPath, limit: 1 }).catch((error: unknown) => {
      const failure = dropboxCallError(error, 'files/list_folder', options.apiBaseUrl);
      if (failure.code !== 'not_found') throw error;
    });
    const status: DestinationStatusView = {
      state: 'authorized',
      hasToken: true,
      account: { name: account.name.display_name, email: account.email },
    };
    try {
      const usage = (await sdk.client.usersGetSpaceUsage()).result;
      const allocation = usage.allocation as { '.tag': string; allocated?: number };
      status.usage = { used: usage.used, ...(typeof allocation.allocated === 'number' ? { allocated: allocation.allocated } : {}) };
    } catch {
      // Usage is a nice-to-have on this screen; the status itself is proven by the account call.
    }
    return status;
  } catch (error) {
    const failure = dropboxCallError(error, 'users/get_current_account', options.apiBaseUrl);
    if (failure.code === 'missing_scope') {
      const scope = typeof failure.details.requiredScope === 'string' ? failure.details.requiredScope : undefined;
      return { state: 'authorization_required', hasToken: true, reason: 'missing_scope', ...(scope ? { requiredScope: scope } : {}), message: failure.message };
    }
    if (failure.code === 'authorization_required') {
      const invalidClient = failure.details.tokenError === 'invalid_client';
      return {
        state: 'authorization_required',
        hasToken: true,
        reason: invalidClient ? 'invalid_client' : 'revoked',
        message: invalidClient ? `${failure.message} The Redirect URI registered there must be ${options.redirectUri}.` : failure.message,
      };
    }
    if (failure.code === 'unavailable') return { state: 'error', hasToken: true, reason: 'unreachable', message: failure.message };
    return { state: 'error', hasToken: true, reason: failure.code, message: failure.message };
  }
}
