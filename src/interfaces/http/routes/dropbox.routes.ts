import { DBackupError, isDBackupError } from '../../../core/errors.ts';
import { json } from '../json.ts';
import { requirePrincipal, type Route } from '../router.ts';
import type { DropboxAuthorizationService } from '../services/services.ts';

/** Dropbox OAuth: adapter info, starting the consent flow, and the redirect callback. */
export function dropboxRoutes(authorization: DropboxAuthorizationService, publicUrl: string): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/adapters/dropbox',
      access: 'user',
      handler: () => json({ redirectUri: authorization.redirectUri }),
    },
    {
      method: 'POST',
      path: '/api/destinations/:id/authorize',
      access: 'user',
      handler: async (context) => json(await authorization.start(requirePrincipal(context).userId, context.params.id ?? '')),
    },
    {
      // A top-level navigation coming back from Dropbox: always answers with a redirect to the
      // destinations page carrying the outcome, so the user sees a toast rather than raw JSON.
      method: 'GET',
      path: '/api/adapters/dropbox/callback',
      access: 'optional-session',
      handler: async (context) => {
        const query = context.url.searchParams;
        const target = new URLSearchParams();
        try {
          if (!context.principal) {
            throw new DBackupError('authorization_required', 'Your DBackup session has ended. Sign in again, then click Authorize with Dropbox once more.');
          }
          const result = await authorization.complete(context.principal.userId, {
            state: query.get('state') ?? undefined,
            code: query.get('code') ?? undefined,
            error: query.get('error') ?? undefined,
            errorDescription: query.get('error_description') ?? undefined,
          });
          target.set('oauth', 'success');
          target.set('destination', result.destinationId);
          target.set('account', result.accountName);
        } catch (error) {
          if (!isDBackupError(error)) console.error('Dropbox authorization failed:', error);
          target.set('oauth', 'error');
          target.set('message', isDBackupError(error) ? error.message : 'Dropbox authorization failed unexpectedly. The server log has the details.');
        }
        return new Response(null, { status: 303, headers: { location: `${publicUrl}/destinations?${target.toString()}`, 'cache-control': 'no-store' } });
      },
    },
  ];
}
