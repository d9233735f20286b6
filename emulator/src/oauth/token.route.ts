import { createHash } from 'node:crypto';
import type { Exchange } from '../http/exchange.ts';
import { readBody } from '../http/body.ts';
import { HttpFailure } from '../http/failure.ts';
import { sendFailure, sendJson, sendText } from '../http/respond.ts';
import type { EmulatorState } from '../state.ts';
import type { ResolvedApp } from '../config.ts';
import type { Grant } from './token-store.ts';

/** Token-endpoint errors are bare `{error, error_description}` JSON (400), not the API envelope. */
function oauthError(error: string, description?: string): HttpFailure {
  return new HttpFailure(400, { kind: 'raw-json', value: description === undefined ? { error } : { error, error_description: description } });
}

const INVALID_CLIENT = (): HttpFailure => oauthError('invalid_client: Invalid client_id or client_secret');
const TOKEN_CHARS = /^[A-Za-z0-9._-]+$/;

/** Parameters from the query string (what the JS SDK sends), a form body, and HTTP Basic auth. */
async function collectParams(ex: Exchange): Promise<{ params: Map<string, string>; basic: { id: string; secret: string } | undefined }> {
  const params = new Map<string, string>(ex.url.searchParams);
  const body = await readBody(ex.req, 64 * 1024);
  const type = (ex.req.headers['content-type'] ?? '').toLowerCase();
  if (body && body.length > 0 && !type.startsWith('application/json')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
  }
  let basic: { id: string; secret: string } | undefined;
  const auth = ex.req.headers.authorization;
  if (auth !== undefined && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw INVALID_CLIENT();
    basic = { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  return { params, basic };
}

function pkceMatches(verifier: string, challenge: string, method: 'S256' | 'plain'): boolean {
  if (method === 'plain') return verifier === challenge;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

function exchangeCode(state: EmulatorState, app: ResolvedApp, secret: string | undefined, params: Map<string, string>): Record<string, unknown> {
  const code = params.get('code');
  if (!code) throw oauthError('invalid_request', 'missing required parameter "code"');
  const record = state.tokens.consumeCode(code);
  if (!record || record.appKey !== app.key) throw oauthError('invalid_grant', "code doesn't exist or has expired");
  if (record.redirectUri !== params.get('redirect_uri')) throw oauthError('invalid_grant', 'redirect_uri mismatch');
  const verifier = params.get('code_verifier');
  if (record.codeChallenge !== undefined) {
    // The SDK sends the secret *instead of* the verifier when it has one; we accept that (see README).
    if (verifier !== undefined && !pkceMatches(verifier, record.codeChallenge, record.challengeMethod ?? 'plain')) {
      throw oauthError('invalid_grant', 'invalid code verifier');
    }
    if (verifier === undefined && secret === undefined) throw oauthError('invalid_request', 'missing required parameter "code_verifier"');
  } else if (secret === undefined) {
    throw oauthError('invalid_request', 'client_secret is required unless the authorization used PKCE');
  }
  const account = state.accounts.get(record.email);
  if (!account) throw oauthError('invalid_grant', "code doesn't exist or has expired");
  const grant: Grant = { appKey: app.key, email: record.email, scopes: record.scopes };
  const refresh = record.offline ? state.tokens.issueRefresh(grant, secret === undefined) : undefined;
  const access = state.tokens.issueAccess(grant, refresh?.token);
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: state.config.accessTokenTtlSeconds,
    ...(refresh ? { refresh_token: refresh.token } : {}),
    scope: grant.scopes.join(' '),
    uid: account.uid,
    account_id: account.accountId,
  };
}

function refresh(state: EmulatorState, app: ResolvedApp, secret: string | undefined, params: Map<string, string>): Record<string, unknown> {
  const token = params.get('refresh_token');
  if (token === undefined) throw oauthError('invalid_request', 'missing required parameter "refresh_token"');
  if (!TOKEN_CHARS.test(token) || token.length < 16) throw oauthError('invalid_grant', 'refresh token is malformed');
  const record = state.tokens.findRefresh(token);
  if (!record || record.revoked || record.appKey !== app.key) throw oauthError('invalid_grant', 'refresh token is invalid or revoked');
  if (secret === undefined && !record.publicClient) throw oauthError('invalid_request', 'client_secret is required for a refresh token not obtained with PKCE');
  const requested = params.get('scope');
  let scopes = record.scopes;
  if (requested !== undefined) {
    scopes = [...new Set(requested.split(/\s+/).filter((s) => s !== ''))];
    const extra = scopes.filter((s) => !record.scopes.includes(s));
    if (extra.length > 0) throw oauthError('invalid_scope', `scopes not granted by the user: ${extra.join(' ')}`);
  }
  const access = state.tokens.issueAccess({ appKey: record.appKey, email: record.email, scopes }, record.token);
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: state.config.accessTokenTtlSeconds,
    ...(requested !== undefined ? { scope: scopes.join(' ') } : {}),
  };
}

/** POST /oauth2/token — authorization_code and refresh_token grants. */
export async function handleToken(ex: Exchange, state: EmulatorState): Promise<void> {
  if (ex.req.method !== 'POST') {
    await sendText(ex, 405, 'Use POST for /oauth2/token', { Allow: 'POST' });
    return;
  }
  try {
    const { params, basic } = await collectParams(ex);
    const clientId = basic?.id ?? params.get('client_id');
    const secret = basic?.secret ?? params.get('client_secret');
    if (!clientId) throw oauthError('invalid_request', 'No auth function available for given request');
    const app = state.apps.get(clientId);
    if (!app || (secret !== undefined && secret !== app.secret)) throw INVALID_CLIENT();
    const grantType = params.get('grant_type');
    let result: Record<string, unknown>;
    if (grantType === 'authorization_code') result = exchangeCode(state, app, secret, params);
    else if (grantType === 'refresh_token') result = refresh(state, app, secret, params);
    else if (grantType === undefined) throw oauthError('invalid_request', 'missing required parameter "grant_type"');
    else throw oauthError('unsupported_grant_type', `grant_type "${grantType}" is not supported`);
    await sendJson(ex, 200, result, { 'Cache-Control': 'no-store' });
  } catch (error) {
    if (!(error instanceof HttpFailure)) throw error;
    await sendFailure(ex, undefined, error);
  }
}
