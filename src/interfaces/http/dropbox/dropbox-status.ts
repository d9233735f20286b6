import type { DestinationRecord } from '../../../ports/metadata-store.port.ts';
import type { DestinationStatusView } from '../services/services.ts';
import { DBackupError, isDBackupError } from '../../../core/errors.ts';
import type { DropboxAuthorizationGateway } from '../../../ports/dropbox-authorization.port.ts';

/**
 * The live status of a Dropbox destination: refreshes the access token with the stored refresh
 * token and asks for the account (then the space usage). Never throws for Dropbox failures; they
 * become a status with a reason and a message that says what to do.
 */
export async function checkDropboxStatus(record: DestinationRecord, options: { gateway: DropboxAuthorizationGateway; redirectUri: string }): Promise<DestinationStatusView> {
  const appKey = record.secrets.appKey?.reveal() ?? '';
  const appSecret = record.secrets.appSecret?.reveal() ?? '';
  const refreshToken = record.secrets.refreshToken?.reveal();
  if (appKey === '' || appSecret === '') {
    return { state: 'error', reason: 'missing_credentials', hasToken: false, message: 'Enter the App Key and App Secret from the Dropbox App Console, then save.' };
  }
  if (!refreshToken) {
    return { state: 'authorization_required', reason: 'not_authorized', hasToken: false, message: 'Click Authorize with Dropbox to connect your Dropbox account.' };
  }
  const folderPath = typeof record.config.folderPath === 'string' ? record.config.folderPath : '';
  try {
    const { account, usage } = await options.gateway.checkAccount({ appKey, appSecret }, refreshToken, folderPath);
    return { state: 'authorized', hasToken: true, account, ...(usage ? { usage } : {}) };
  } catch (error) {
    const failure = isDBackupError(error) ? error : new DBackupError('internal', `Checking the Dropbox connection failed unexpectedly: ${(error as Error)?.message ?? String(error)}`, { cause: error });
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
