import type { ResolvedApp } from '../config.ts';

/** An authorize-page visit remembered between rendering the page and the user's decision. */
export interface PendingAuthorization {
  id: string;
  appKey: string;
  responseType: 'code' | 'token';
  redirectUri: string | undefined;
  state: string | undefined;
  offline: boolean;
  scopes: string[];
  includeGrantedScopes: boolean;
  codeChallenge: string | undefined;
  challengeMethod: 'S256' | 'plain' | undefined;
  expiresAt: number;
}

export type AuthorizeParse =
  | { ok: true; request: Omit<PendingAuthorization, 'id' | 'expiresAt'>; app: ResolvedApp }
  /** Shown as Dropbox's error page (400), never redirected: bad client or redirect URI. */
  | { ok: false; page: string }
  /** Sent back to the (valid) redirect URI as `error` + `error_description`. */
  | { ok: false; redirect: { app: ResolvedApp; redirectUri: string; responseType: 'code' | 'token'; state: string | undefined; error: string; description: string } };

/** Validates `/oauth2/authorize` query parameters the way Dropbox's page does. */
export function parseAuthorizeQuery(query: URLSearchParams, apps: Map<string, ResolvedApp>): AuthorizeParse {
  const clientId = query.get('client_id');
  if (!clientId) return { ok: false, page: 'Missing client_id.' };
  const app = apps.get(clientId);
  if (!app) return { ok: false, page: `Invalid client_id: "${clientId}".` };
  const redirectUri = query.get('redirect_uri') ?? undefined;
  if (redirectUri !== undefined && !app.redirectUris.includes(redirectUri)) {
    return { ok: false, page: `Invalid redirect_uri: "${redirectUri}". It must exactly match one of the redirect URIs you've pre-configured for your app (including the path).` };
  }
  const responseType = query.get('response_type');
  if (responseType !== 'code' && responseType !== 'token') {
    return { ok: false, page: `Invalid response_type: "${responseType ?? ''}". Expected "code" or "token".` };
  }
  if (responseType === 'token' && redirectUri === undefined) return { ok: false, page: 'redirect_uri is required when response_type is "token".' };
  const state = query.get('state') ?? undefined;

  const problem = ((): { error: string; description: string } | undefined => {
    if (state !== undefined && Buffer.byteLength(state) > 500) return { error: 'invalid_request', description: 'state must be at most 500 bytes' };
    const access = query.get('token_access_type');
    if (access !== null && !['offline', 'online', 'legacy'].includes(access)) return { error: 'invalid_request', description: `unknown token_access_type "${access}"` };
    const scope = query.get('scope');
    if (scope !== null) {
      const unknown = scope.split(/\s+/).filter((s) => s !== '' && !app.scopes.includes(s));
      if (unknown.length > 0) return { error: 'invalid_scope', description: `scopes not enabled for this app: ${unknown.join(' ')}` };
    }
    const include = query.get('include_granted_scopes');
    if (include !== null && include !== 'user') return { error: 'invalid_request', description: 'include_granted_scopes must be "user" for a personal account' };
    const method = query.get('code_challenge_method');
    if (method !== null && method !== 'S256' && method !== 'plain') return { error: 'invalid_request', description: 'code_challenge_method must be S256 or plain' };
    const challenge = query.get('code_challenge');
    if (method !== null && challenge === null) return { error: 'invalid_request', description: 'code_challenge is required with code_challenge_method' };
    if (challenge !== null && !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return { error: 'invalid_request', description: 'code_challenge must be 43-128 characters of [A-Za-z0-9._~-]' };
    if (challenge !== null && responseType === 'token') return { error: 'invalid_request', description: 'PKCE is only supported with response_type=code' };
    const force = query.get('force_reapprove');
    if (force !== null && force !== 'true' && force !== 'false') return { error: 'invalid_request', description: 'force_reapprove must be true or false' };
    return undefined;
  })();
  if (problem) {
    if (redirectUri === undefined) return { ok: false, page: problem.description };
    return { ok: false, redirect: { app, redirectUri, responseType, state, ...problem } };
  }

  const scope = query.get('scope');
  const challenge = query.get('code_challenge') ?? undefined;
  return {
    ok: true,
    app,
    request: {
      appKey: app.key,
      responseType,
      redirectUri,
      state,
      offline: query.get('token_access_type') === 'offline',
      scopes: scope === null ? [...app.scopes] : [...new Set(scope.split(/\s+/).filter((s) => s !== ''))],
      includeGrantedScopes: query.get('include_granted_scopes') === 'user',
      codeChallenge: challenge,
      challengeMethod: challenge === undefined ? undefined : ((query.get('code_challenge_method') as 'S256' | 'plain' | null) ?? 'plain'),
    },
  };
}

/** `redirect_uri` plus parameters, in the query (code flow) or the fragment (token flow). */
export function redirectWith(redirectUri: string, responseType: 'code' | 'token', params: Record<string, string | undefined>): string {
  const pairs = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  if (responseType === 'token') return `${redirectUri}#${pairs}`;
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${pairs}`;
}
