import type { AccountState } from '../accounts.ts';
import type { ResolvedApp } from '../config.ts';
import type { Exchange } from '../http/exchange.ts';
import { authFailure, badRequest } from '../http/failure.ts';
import type { EmulatorState } from '../state.ts';
import type { AccessRecord } from './token-store.ts';

export interface AuthContext {
  token: AccessRecord;
  app: ResolvedApp;
  account: AccountState;
}

/**
 * Checks the bearer token of an API call. A missing or ill-formed header or a token that does not
 * look like a token is a 400 (text); an unknown or revoked token is 401 `invalid_access_token`,
 * an expired one 401 `expired_access_token`.
 */
export function authenticate(ex: Exchange, state: EmulatorState): AuthContext {
  const header = ex.req.headers.authorization ?? ex.url.searchParams.get('authorization') ?? undefined;
  if (header === undefined) throw badRequest('Must provide HTTP header "Authorization" or URL parameter "authorization".');
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!match) throw badRequest(`Invalid authorization value in HTTP header "Authorization": "${header}".  Expecting "Bearer <oauth2-access-token>".`);
  const raw = match[1]!;
  if (!/^[A-Za-z0-9._-]{8,}$/.test(raw)) throw badRequest('The given OAuth 2 access token is malformed.');
  const token = state.tokens.findAccess(raw);
  const app = token ? state.apps.get(token.appKey) : undefined;
  const account = token ? state.accounts.get(token.email) : undefined;
  if (!token || token.revoked || !app || !account) throw authFailure({ '.tag': 'invalid_access_token' });
  if (token.expiresAt <= state.clock.now()) throw authFailure({ '.tag': 'expired_access_token' });
  return { token, app, account };
}

/** 401 `missing_scope` naming the scope when the token was not granted it. */
export function requireScope(auth: AuthContext, scope: string): void {
  if (!auth.token.scopes.includes(scope)) throw authFailure({ '.tag': 'missing_scope', required_scope: scope });
}
