import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Dropbox, DropboxAuth } from 'dropbox';
import { ALL_SCOPES } from '../src/index.ts';
import { ANN, APP_FOLDER_APP, BOB, FULL_APP, rpc, sdkError, startTestEmulator, type TestEmulator } from './support.ts';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const REDIRECT = APP_FOLDER_APP.redirectUris[0]!;

/** Plays the user on the consent page: loads it, picks an account, presses a button. */
async function consent(authorizeUrl: string, decision: 'allow' | 'deny', email = ANN.email): Promise<{ page: string; location: string }> {
  const pageResponse = await emu.fetch(authorizeUrl);
  const page = await pageResponse.text();
  expect(pageResponse.status).toBe(200);
  const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1];
  expect(requestId).toBeTruthy();
  const response = await fetch(`${emu.url}/oauth2/authorize/decision`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: requestId!, account: email, decision }).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  return { page, location: response.headers.get('location')! };
}

function sdkAuth(clientSecret?: string): DropboxAuth {
  return new DropboxAuth({ clientId: APP_FOLDER_APP.key, ...(clientSecret ? { clientSecret } : {}), fetch: emu.fetch });
}

async function tokenCall(params: Record<string, string>, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emu.url}/oauth2/token?${new URLSearchParams(params)}`, { method: 'POST', ...init });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('authorize page', () => {
  it('shows the app, its access, the scopes, an account choice and real Allow/Deny buttons', async () => {
    const url = await sdkAuth(APP_FOLDER_APP.secret).getAuthenticationUrl(REDIRECT, 'st1', 'code', 'offline', ['files.content.read', 'account_info.read']);
    const page = await (await emu.fetch(url)).text();
    expect(page).toContain(APP_FOLDER_APP.name);
    expect(page).toContain(`/Apps/${APP_FOLDER_APP.appFolderName}`);
    expect(page).toContain('files.content.read');
    expect(page).not.toContain('files.content.write');
    expect(page).toMatch(/<button[^>]*>Allow<\/button>/);
    expect(page).toMatch(/<button[^>]*>Deny<\/button>/);
    expect(page).toContain(`value="${ANN.email}"`);
    expect(page).toContain(`value="${BOB.email}"`);
  });

  it('shows a 400 error page and does not redirect for an unknown client_id or an unregistered redirect_uri', async () => {
    const unknown = await fetch(`${emu.url}/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`, { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Invalid client_id');
    const badRedirect = await fetch(`${emu.url}/oauth2/authorize?response_type=code&client_id=${APP_FOLDER_APP.key}&redirect_uri=${encodeURIComponent(REDIRECT + '/x')}`, { redirect: 'manual' });
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.headers.get('location')).toBeNull();
    expect(await badRedirect.text()).toContain('redirect_uri');
  });

  it('redirects with access_denied and the state when the user presses Deny', async () => {
    const url = await sdkAuth(APP_FOLDER_APP.secret).getAuthenticationUrl(REDIRECT, 'deny-state', 'code', 'offline');
    const { location } = await consent(url, 'deny');
    const back = new URL(location);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toBeTruthy();
    expect(back.searchParams.get('state')).toBe('deny-state');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('keeps a query string already present in the registered redirect_uri', async () => {
    const redirect = APP_FOLDER_APP.redirectUris[1]!;
    const { location } = await consent(`${emu.url}/oauth2/authorize?response_type=code&client_id=${APP_FOLDER_APP.key}&redirect_uri=${encodeURIComponent(redirect)}&state=s`, 'allow');
    const back = new URL(location);
    expect(back.searchParams.get('x')).toBe('1');
    expect(back.searchParams.get('code')).toBeTruthy();
  });
});

describe('code flow with the official SDK', () => {
  it('exchanges a code (client secret) for offline tokens in Dropbox\'s exact shape, and the tokens work', async () => {
    const auth = sdkAuth(APP_FOLDER_APP.secret);
    const url = await auth.getAuthenticationUrl(REDIRECT, 'abc123', 'code', 'offline');
    const { location } = await consent(url, 'allow');
    const back = new URL(location);
    expect(back.searchParams.get('state')).toBe('abc123');
    const code = back.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9._-]+$/);

    const result = (await auth.getAccessTokenFromCode(REDIRECT, code)).result as unknown as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['access_token', 'account_id', 'expires_in', 'refresh_token', 'scope', 'token_type', 'uid']);
    expect(result['token_type']).toBe('bearer');
    expect(result['expires_in']).toBe(14400);
    expect(result['access_token']).toMatch(/^sl\.[A-Za-z0-9._-]+$/);
    expect(result['refresh_token']).toMatch(/^[A-Za-z0-9._-]+$/);
    expect((result['account_id'] as string).length).toBe(40);
    expect(result['account_id']).toMatch(/^dbid:/);
    expect(result['scope']).toBe(ALL_SCOPES.join(' '));

    const dbx = new Dropbox({ fetch: emu.fetch, refreshToken: result['refresh_token'] as string, clientId: APP_FOLDER_APP.key, clientSecret: APP_FOLDER_APP.secret });
    const account = await dbx.usersGetCurrentAccount();
    expect(account.result.email).toBe(ANN.email);
    expect(account.result.account_id).toBe(result['account_id']);
  });

  it('completes a PKCE flow without a secret and refreshes without a secret', async () => {
    const auth = sdkAuth();
    const url = await auth.getAuthenticationUrl(REDIRECT, 'pkce', 'code', 'offline', undefined, 'none', true);
    expect(url).toContain('code_challenge_method=S256');
    const code = new URL((await consent(url, 'allow', BOB.email)).location).searchParams.get('code')!;
    const result = (await auth.getAccessTokenFromCode(REDIRECT, code)).result as unknown as Record<string, string>;
    expect(result['refresh_token']).toBeTruthy();
    const dbx = new Dropbox({ fetch: emu.fetch, refreshToken: result['refresh_token'], clientId: APP_FOLDER_APP.key });
    expect((await dbx.usersGetCurrentAccount()).result.email).toBe(BOB.email);
  });

  it('rejects a wrong PKCE verifier with invalid_grant', async () => {
    const auth = sdkAuth();
    const url = await auth.getAuthenticationUrl(REDIRECT, 's', 'code', 'offline', undefined, 'none', true);
    const code = new URL((await consent(url, 'allow')).location).searchParams.get('code')!;
    const { status, body } = await tokenCall({ grant_type: 'authorization_code', code, client_id: APP_FOLDER_APP.key, code_verifier: 'x'.repeat(64), redirect_uri: REDIRECT });
    expect(status).toBe(400);
    expect(body['error']).toBe('invalid_grant');
  });

  it('online access gives no refresh token; scope subsets are honoured and enforced', async () => {
    const auth = sdkAuth(APP_FOLDER_APP.secret);
    const url = await auth.getAuthenticationUrl(REDIRECT, 's', 'code', 'online', ['account_info.read']);
    const code = new URL((await consent(url, 'allow')).location).searchParams.get('code')!;
    const result = (await auth.getAccessTokenFromCode(REDIRECT, code)).result as unknown as Record<string, unknown>;
    expect(result['refresh_token']).toBeUndefined();
    expect(result['scope']).toBe('account_info.read');
    const token = result['access_token'] as string;
    expect((await rpc(emu.url, token, 'users/get_current_account')).status).toBe(200);
    const denied = await rpc(emu.url, token, 'files/list_folder', { path: '' });
    expect(denied.status).toBe(401);
    expect(denied.body).toMatchObject({ error: { '.tag': 'missing_scope', required_scope: 'files.metadata.read' } });
  });

  it('codes are single-use and short-lived, and the redirect_uri must match', async () => {
    const auth = sdkAuth(APP_FOLDER_APP.secret);
    const codeFor = async (): Promise<string> => new URL((await consent(await auth.getAuthenticationUrl(REDIRECT, 's', 'code', 'offline'), 'allow')).location).searchParams.get('code')!;
    const base = { grant_type: 'authorization_code', client_id: APP_FOLDER_APP.key, client_secret: APP_FOLDER_APP.secret, redirect_uri: REDIRECT };

    const once = await codeFor();
    expect((await tokenCall({ ...base, code: once })).status).toBe(200);
    expect(await tokenCall({ ...base, code: once })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: "code doesn't exist or has expired" } });

    const mismatch = await codeFor();
    expect(await tokenCall({ ...base, code: mismatch, redirect_uri: 'http://localhost:3000/other' })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'redirect_uri mismatch' } });

    const late = await codeFor();
    await emu.control.advanceClock(601);
    expect((await tokenCall({ ...base, code: late })).body['error_description']).toBe("code doesn't exist or has expired");
  });

  it('accepts client credentials as HTTP Basic auth with a form body', async () => {
    const auth = sdkAuth(APP_FOLDER_APP.secret);
    const code = new URL((await consent(await auth.getAuthenticationUrl(REDIRECT, 's', 'code', 'offline'), 'allow')).location).searchParams.get('code')!;
    const response = await fetch(`${emu.url}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${APP_FOLDER_APP.key}:${APP_FOLDER_APP.secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }).toString(),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Record<string, unknown>)['refresh_token']).toBeTruthy();
  });

  it('rejects a bad client secret with invalid_client', async () => {
    const { status, body } = await tokenCall({ grant_type: 'refresh_token', refresh_token: 'a'.repeat(40), client_id: APP_FOLDER_APP.key, client_secret: 'wrong' });
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'invalid_client: Invalid client_id or client_secret' });
  });
});

describe('refresh, expiry and revocation', () => {
  it('refresh returns a new access token without a new refresh token; malformed and unknown refresh tokens are invalid_grant', async () => {
    const minted = await emu.control.mintTokens({ appKey: FULL_APP.key, accountEmail: ANN.email });
    const base = { grant_type: 'refresh_token', client_id: FULL_APP.key, client_secret: FULL_APP.secret };
    const ok = await tokenCall({ ...base, refresh_token: minted.refreshToken });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(ok.body['access_token']).not.toBe(minted.accessToken);
    const subset = await tokenCall({ ...base, refresh_token: minted.refreshToken, scope: 'account_info.read' });
    expect(subset.body['scope']).toBe('account_info.read');
    expect((await tokenCall({ ...base, refresh_token: 'bad token!' })).body).toEqual({ error: 'invalid_grant', error_description: 'refresh token is malformed' });
    expect((await tokenCall({ ...base, refresh_token: 'A'.repeat(64) })).body).toEqual({ error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' });
  });

  it('expired access tokens get 401 expired_access_token with WWW-Authenticate; the SDK refreshes ahead of expiry', async () => {
    const short = await startTestEmulator({ accessTokenTtlSeconds: 200 });
    try {
      const token = await short.token();
      expect((await rpc(short.url, token, 'users/get_current_account')).status).toBe(200);
      await short.control.advanceClock(201);
      const expired = await rpc(short.url, token, 'users/get_current_account');
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toBe('Bearer realm="Dropbox-API"');
      expect(expired.body).toMatchObject({ error: { '.tag': 'expired_access_token' } });
      expect((expired.body as { error_summary: string }).error_summary).toMatch(/^expired_access_token\/\.{0,3}$/);
      // expires_in (200) is under the SDK's 300 s margin, so it refreshes before every call.
      const dbx = await short.client();
      expect((await dbx.usersGetCurrentAccount()).status).toBe(200);
    } finally {
      await short.close();
    }
  });

  it('auth/token/revoke kills the access token, its refresh token and sibling access tokens', async () => {
    const minted = await emu.control.mintTokens({ appKey: APP_FOLDER_APP.key, accountEmail: ANN.email });
    const base = { grant_type: 'refresh_token', client_id: APP_FOLDER_APP.key, client_secret: APP_FOLDER_APP.secret, refresh_token: minted.refreshToken };
    const sibling = (await tokenCall(base)).body['access_token'] as string;
    const other = await emu.token();
    const revoked = await rpc(emu.url, minted.accessToken, 'auth/token/revoke');
    expect(revoked.status).toBe(200);
    expect(revoked.body).toBeNull();
    expect((await rpc(emu.url, minted.accessToken, 'users/get_current_account')).body).toMatchObject({ error: { '.tag': 'invalid_access_token' } });
    expect((await rpc(emu.url, sibling, 'users/get_current_account')).status).toBe(401);
    expect(await tokenCall(base)).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' } });
    expect((await rpc(emu.url, other, 'users/get_current_account')).status).toBe(200);
  });

  it('revoking the app (Connected apps) invalidates every token of that app only', async () => {
    const dbx = await emu.client();
    const full = await emu.token(FULL_APP.key);
    await emu.control.revokeApp(APP_FOLDER_APP.key);
    const failure = await sdkError(dbx.usersGetCurrentAccount());
    expect(failure.status).toBe(400);
    expect(failure.error).toMatchObject({ error: 'invalid_grant' });
    expect((await rpc(emu.url, full, 'users/get_current_account')).status).toBe(200);
  });

  it('malformed bearer tokens are a 400 text error, unknown ones a 401', async () => {
    const malformed = await rpc(emu.url, 'x', 'users/get_current_account');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(malformed.text).toContain('The given OAuth 2 access token is malformed.');
    const unknown = await rpc(emu.url, 'sl.unknownbutwellformed', 'users/get_current_account');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ error: { '.tag': 'invalid_access_token' } });
  });

  it('changing app scopes keeps granted scopes of existing tokens unless told to invalidate them', async () => {
    const token = await emu.token();
    await emu.control.setScopes(APP_FOLDER_APP.key, ['account_info.read']);
    expect((await rpc(emu.url, token, 'files/list_folder', { path: '' })).status).toBe(200);
    const minted = await emu.control.mintTokens({ appKey: APP_FOLDER_APP.key, accountEmail: ANN.email });
    expect((await rpc(emu.url, minted.accessToken, 'files/list_folder', { path: '' })).body).toMatchObject({ error: { '.tag': 'missing_scope' } });
    await emu.control.setScopes(APP_FOLDER_APP.key, ALL_SCOPES, true);
    expect((await rpc(emu.url, token, 'users/get_current_account')).status).toBe(401);
  });
});
