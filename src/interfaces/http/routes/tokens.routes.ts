import { DBackupError } from '../../../core/errors.ts';
import { json, noContent, optionalString, readJsonObject } from '../json.ts';
import { requirePrincipal, type Route } from '../router.ts';
import type { AccountsService } from '../services/services.ts';

/** API tokens of the signed-in user: list, create (token shown once), revoke. */
export function tokenRoutes(accounts: AccountsService): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/tokens',
      access: 'user',
      handler: async (context) => json(await accounts.listApiTokens(requirePrincipal(context).userId)),
    },
    {
      method: 'POST',
      path: '/api/tokens',
      access: 'user',
      handler: async (context) => {
        const name = (optionalString(await readJsonObject(context.request), 'name') ?? '').trim();
        if (name === '' || name.length > 100) {
          throw new DBackupError('invalid_input', 'Give the token a name of 1 to 100 characters.', { details: { fields: { name: 'Name is required.' } } });
        }
        return json(await accounts.createApiToken(requirePrincipal(context).userId, name), 201);
      },
    },
    {
      method: 'DELETE',
      path: '/api/tokens/:id',
      access: 'user',
      handler: async (context) => {
        await accounts.revokeApiToken(requirePrincipal(context).userId, context.params.id ?? '');
        return noContent();
      },
    },
  ];
}
