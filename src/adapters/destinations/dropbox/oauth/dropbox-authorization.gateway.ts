import type { DropboxAuthorizationGateway } from '../../../../ports/dropbox-authorization.port.ts';
import { dropboxCallError, revokeRefreshToken, sdkFor, type DropboxConnectionOptions } from './dropbox-connection.ts';
import { exchangeAuthorizationCode } from './dropbox-token-exchange.ts';
import { createPkcePair } from './pkce.ts';

/** The web app's Dropbox calls through the official SDK (or the token endpoint), each with a timeout. */
export function createDropboxAuthorizationGateway(options: DropboxConnectionOptions): DropboxAuthorizationGateway {
  const { apiBaseUrl } = options;
  return {
    authorizeEndpoint: apiBaseUrl ? `${apiBaseUrl}/oauth2/authorize` : 'https://www.dropbox.com/oauth2/authorize',
    createPkcePair,
    exchangeCode: (credentials, input) => exchangeAuthorizationCode(credentials, input, options),
    revoke: (credentials, refreshToken) => revokeRefreshToken(credentials, refreshToken, options),

    async accountName(credentials, grant) {
      const sdk = sdkFor(credentials, options);
      sdk.auth.setAccessToken(grant.accessToken);
      sdk.auth.setAccessTokenExpiresAt(new Date(Date.now() + grant.expiresIn * 1000));
      try {
        return (await sdk.client.usersGetCurrentAccount()).result.name.display_name;
      } catch (error) {
        throw dropboxCallError(error, 'users/get_current_account', apiBaseUrl);
      }
    },

    async checkAccount(credentials, refreshToken, folderPath) {
      const sdk = sdkFor(credentials, options, refreshToken);
      let account;
      try {
        account = (await sdk.client.usersGetCurrentAccount()).result;
        await sdk.client.filesListFolder({ path: folderPath, limit: 1 }).catch((error: unknown) => {
          if (dropboxCallError(error, 'files/list_folder', apiBaseUrl).code !== 'not_found') throw error;
        });
      } catch (error) {
        throw dropboxCallError(error, 'users/get_current_account', apiBaseUrl);
      }
      const check = { account: { name: account.name.display_name, email: account.email } };
      try {
        const usage = (await sdk.client.usersGetSpaceUsage()).result;
        const allocation = usage.allocation as { '.tag': string; allocated?: number };
        return { ...check, usage: { used: usage.used, ...(typeof allocation.allocated === 'number' ? { allocated: allocation.allocated } : {}) } };
      } catch {
        // Usage is a nice-to-have on the status screen; the account call already proved the token.
        return check;
      }
    },
  };
}
