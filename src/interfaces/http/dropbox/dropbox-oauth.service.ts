import { DBackupError, isDBackupError } from '../../../core/errors.ts';
import { Secret } from '../../../core/secret.ts';
import { generateRandomToken } from '../../../core/tokens.ts';
import type { DropboxAppCredentials, DropboxAuthorizationGateway, DropboxGrant } from '../../../ports/dropbox-authorization.port.ts';
import type { DestinationRecord, Repositories } from '../../../ports/metadata-store.port.ts';
import type { DropboxAuthorizationService, OAuthCallbackQuery } from '../services/services.ts';

export interface DropboxOAuthOptions {
  gateway: DropboxAuthorizationGateway;
  store: Pick<Repositories, 'destinations' | 'oauthStates'>;
  /** `PUBLIC_URL` without trailing slash. */
  publicUrl: string;
}

const STATE_MESSAGES: Record<string, string> = {
  unknown: 'This authorization response was already used or was never issued by DBackup. Click Authorize with Dropbox again.',
  expired: 'The authorization took longer than 10 minutes and expired. Click Authorize with Dropbox again.',
  other_user: 'This authorization was started by another DBackup user. Sign in as that user, or click Authorize with Dropbox again.',
};

/** The OAuth 2.0 authorization-code flow with PKCE for Dropbox destinations. */
export function createDropboxOAuthService(options: DropboxOAuthOptions): DropboxAuthorizationService {
  const { store, gateway } = options;
  const redirectUri = `${options.publicUrl}/api/adapters/dropbox/callback`;

  async function dropboxDestination(id: string): Promise<{ record: DestinationRecord; credentials: DropboxAppCredentials }> {
    const record = await store.destinations.get(id);
    if (!record) throw new DBackupError('not_found', 'This destination no longer exists. It may have been deleted while authorizing.');
    if (record.type !== 'dropbox') throw new DBackupError('invalid_input', `"${record.name}" is not a Dropbox destination.`);
    const appKey = record.secrets.appKey?.reveal() ?? '';
    const appSecret = record.secrets.appSecret?.reveal() ?? '';
    if (appKey === '' || appSecret === '') {
      throw new DBackupError('invalid_input', 'Enter the App Key and App Secret from the Dropbox App Console and save before authorizing.');
    }
    return { record, credentials: { appKey, appSecret } };
  }

  return {
    redirectUri,

    async start(userId, destinationId) {
      const { record, credentials } = await dropboxDestination(destinationId);
      const state = generateRandomToken(32);
      const pkce = gateway.createPkcePair();
      await store.oauthStates.create({ state, userId, destinationId, codeVerifier: new Secret(pkce.verifier), redirectUri });
      const url = new URL(gateway.authorizeEndpoint);
      url.search = new URLSearchParams({
        client_id: credentials.appKey,
        response_type: 'code',
        redirect_uri: redirectUri,
        state,
        token_access_type: 'offline',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        // Re-authorizing is how users switch accounts: always show the consent page then.
        ...(record.secrets.refreshToken ? { force_reapprove: 'true' } : {}),
      }).toString();
      return { authorizeUrl: url.href };
    },

    async complete(userId, query: OAuthCallbackQuery) {
      if (!query.state) {
        throw new DBackupError('invalid_input', 'The response from Dropbox has no state parameter, so DBackup cannot trust it. Click Authorize with Dropbox again.');
      }
      let pending;
      try {
        pending = await store.oauthStates.consume(query.state, userId);
      } catch (error) {
        if (isDBackupError(error, 'invalid_input')) {
          const reason = String(error.details.reason ?? 'unknown');
          throw new DBackupError('invalid_input', STATE_MESSAGES[reason] ?? STATE_MESSAGES.unknown ?? '', { cause: error, details: { reason } });
        }
        throw error;
      }
      if (query.error) {
        if (query.error === 'access_denied') {
          throw new DBackupError('authorization_required', 'Dropbox access was not granted (Deny was clicked). Click Authorize with Dropbox to try again.', { details: { reason: 'access_denied' } });
        }
        throw new DBackupError('authorization_required', `Dropbox reported an authorization error: ${query.error}${query.errorDescription ? ` (${query.errorDescription})` : ''}. Click Authorize with Dropbox to try again.`);
      }
      if (!query.code) throw new DBackupError('invalid_input', 'The response from Dropbox has no authorization code. Click Authorize with Dropbox again.');

      const { credentials } = await dropboxDestination(pending.destinationId);
      const tokens = await gateway.exchangeCode(credentials, { code: query.code, codeVerifier: pending.codeVerifier.reveal(), redirectUri: pending.redirectUri });
      const accountName = await accountNameFor(credentials, tokens);
      const { previousRefreshToken } = await store.destinations.setAuthorization(pending.destinationId, {
        refreshToken: new Secret(tokens.refreshToken),
        accountId: tokens.accountId,
        accountName,
      });
      const previous = previousRefreshToken?.reveal();
      if (previous && previous !== tokens.refreshToken) await gateway.revoke(credentials, previous);
      return { destinationId: pending.destinationId, accountName };
    },
  };

  /** The account's display name; without `account_info.read` the new token is revoked again. */
  async function accountNameFor(credentials: DropboxAppCredentials, grant: DropboxGrant): Promise<string> {
    try {
      return await gateway.accountName(credentials, grant);
    } catch (error) {
      await gateway.revoke(credentials, grant.refreshToken);
      if (isDBackupError(error, 'missing_scope')) {
        const scope = String(error.details.requiredScope ?? 'account_info.read');
        throw new DBackupError(
          'missing_scope',
          `The Dropbox app lacks the '${scope}' permission. Enable it in the Dropbox App Console (Permissions tab), click Submit, then click Authorize with Dropbox again.`,
          { details: { requiredScope: scope } },
        );
      }
      throw error;
    }
  }
}
