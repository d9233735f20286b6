import { defineRoute } from '../api/route.ts';

/** auth/token/revoke: kills this access token, its refresh token and every access token minted from that. */
export const revokeToken = defineRoute({
  name: 'auth/token/revoke',
  style: 'rpc',
  scope: undefined,
  arg: 'void',
  async handle(call) {
    call.state.tokens.revokeAccess(call.auth.token);
    return null;
  },
});
