import type { Exchange } from '../http/exchange.ts';
import { readBody } from '../http/body.ts';
import { sendHtml, sendRedirect, sendText } from '../http/respond.ts';
import { randomToken } from '../ids.ts';
import type { EmulatorState } from '../state.ts';
import { parseAuthorizeQuery, redirectWith, type PendingAuthorization } from './authorize-requests.ts';
import { renderCodePage, renderConsentPage, renderDeniedPage, renderErrorPage } from './authorize-page.ts';

const PENDING_TTL_MS = 60 * 60 * 1000;
const DENIED_DESCRIPTION = 'The user chose not to give your app access to their Dropbox account.';

/** GET /oauth2/authorize — the consent page (or Dropbox's 400 error page). */
export async function handleAuthorizePage(ex: Exchange, state: EmulatorState): Promise<void> {
  if (ex.req.method !== 'GET') {
    await sendText(ex, 405, 'Use GET for /oauth2/authorize', { Allow: 'GET' });
    return;
  }
  const parsed = parseAuthorizeQuery(ex.url.searchParams, state.apps);
  if (!parsed.ok) {
    if ('page' in parsed) {
      await sendHtml(ex, 400, renderErrorPage(parsed.page));
      return;
    }
    const r = parsed.redirect;
    await sendRedirect(ex, redirectWith(r.redirectUri, r.responseType, { error: r.error, error_description: r.description, state: r.state }));
    return;
  }
  const now = state.clock.now();
  for (const [id, p] of state.pendingAuthorizations) if (p.expiresAt <= now) state.pendingAuthorizations.delete(id);
  // force_reapprove is accepted; the emulator always shows the page (Dropbox may skip it for returning users).
  const pending: PendingAuthorization = { ...parsed.request, id: randomToken(18), expiresAt: now + PENDING_TTL_MS };
  state.pendingAuthorizations.set(pending.id, pending);
  await sendHtml(ex, 200, renderConsentPage(parsed.app, pending, [...state.accounts.values()]));
}

/** POST /oauth2/authorize/decision — the consent form: Allow issues a code (or token), Deny reports access_denied. */
export async function handleAuthorizeDecision(ex: Exchange, state: EmulatorState): Promise<void> {
  if (ex.req.method !== 'POST') {
    await sendText(ex, 405, 'Use POST for /oauth2/authorize/decision', { Allow: 'POST' });
    return;
  }
  const body = await readBody(ex.req, 64 * 1024);
  const form = new URLSearchParams(body?.toString('utf8') ?? '');
  const pending = state.pendingAuthorizations.get(form.get('request_id') ?? '');
  if (!pending || pending.expiresAt <= state.clock.now()) {
    await sendHtml(ex, 400, renderErrorPage('This authorization request has expired or was already answered. Start again from the app.'));
    return;
  }
  const app = state.apps.get(pending.appKey);
  const account = state.accounts.get((form.get('account') ?? '').toLowerCase());
  const decision = form.get('decision');
  if (!app || !account || (decision !== 'allow' && decision !== 'deny')) {
    await sendHtml(ex, 400, renderErrorPage('Choose an account and press Allow or Deny.'));
    return;
  }
  state.pendingAuthorizations.delete(pending.id);

  if (decision === 'deny') {
    if (pending.redirectUri === undefined) await sendHtml(ex, 200, renderDeniedPage(app));
    else await sendRedirect(ex, redirectWith(pending.redirectUri, pending.responseType, { error: 'access_denied', error_description: DENIED_DESCRIPTION, state: pending.state }));
    return;
  }

  const email = account.email.toLowerCase();
  const scopes = pending.includeGrantedScopes
    ? [...new Set([...pending.scopes, ...state.tokens.grantedScopes(app.key, email)])]
    : pending.scopes;
  const grant = { appKey: app.key, email, scopes };
  if (pending.responseType === 'token') {
    const access = state.tokens.issueAccess(grant, undefined);
    await sendRedirect(ex, redirectWith(pending.redirectUri!, 'token', {
      access_token: access.token,
      token_type: 'bearer',
      expires_in: String(state.config.accessTokenTtlSeconds),
      scope: scopes.join(' '),
      uid: account.uid,
      account_id: account.accountId,
      state: pending.state,
    }));
    return;
  }
  const code = state.tokens.issueCode(grant, {
    redirectUri: pending.redirectUri,
    offline: pending.offline,
    codeChallenge: pending.codeChallenge,
    challengeMethod: pending.challengeMethod,
  });
  if (pending.redirectUri === undefined) await sendHtml(ex, 200, renderCodePage(app, code.code));
  else await sendRedirect(ex, redirectWith(pending.redirectUri, 'code', { code: code.code, state: pending.state }));
}
