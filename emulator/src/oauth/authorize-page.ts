import type { AccountState } from '../accounts.ts';
import type { ResolvedApp } from '../config.ts';
import type { PendingAuthorization } from './authorize-requests.ts';

const SCOPE_TEXT: Record<string, string> = {
  'account_info.read': 'View basic information about your Dropbox account such as your username, email, and country',
  'files.metadata.read': 'View information about your Dropbox files and folders',
  'files.metadata.write': 'View and edit information about your Dropbox files and folders',
  'files.content.read': 'View content of your Dropbox files and folders',
  'files.content.write': 'Edit content of your Dropbox files and folders',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Dropbox (emulator)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f7f5f2;color:#1e1919;margin:0}
main{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem}ul{padding-left:1.2rem}li{margin:.3rem 0}
.buttons{display:flex;gap:1rem;margin-top:1.5rem}button{font-size:1rem;padding:.6rem 1.4rem;border-radius:4px;border:1px solid #0061fe;cursor:pointer}
button[value=allow]{background:#0061fe;color:#fff}button[value=deny]{background:#fff;color:#0061fe}
.note{color:#6a6a6a;font-size:.85rem}.error{color:#b00020}code{word-break:break-all}
</style></head><body><main>${body}
<p class="note">Dropbox API emulator — not the real Dropbox.</p></main></body></html>`;
}

/** The consent page: app, requested access, account choice, and real Allow / Deny buttons. */
export function renderConsentPage(app: ResolvedApp, request: PendingAuthorization, accounts: AccountState[]): string {
  const where = app.accessType === 'app_folder'
    ? `its own app folder only: <strong>/Apps/${escapeHtml(app.appFolderName)}</strong>`
    : '<strong>all files and folders</strong> in your Dropbox (Full Dropbox)';
  const scopes = request.scopes.map((s) => `<li><code>${escapeHtml(s)}</code> — ${escapeHtml(SCOPE_TEXT[s] ?? 'Permission')}</li>`).join('');
  const options = accounts.map((a) => `<option value="${escapeHtml(a.email)}">${escapeHtml(a.name)} (${escapeHtml(a.email)})</option>`).join('');
  const duration = request.offline ? 'It keeps access until you remove it from your connected apps (offline access).' : 'Access ends when the short-lived token expires (online access).';
  return layout(`${app.name} wants access`, `
<h1><span id="app-name">${escapeHtml(app.name)}</span> would like access to your Dropbox</h1>
<p>This app will be able to access ${where}.</p>
<p>Requested permissions:</p><ul id="scopes">${scopes || '<li>No scopes</li>'}</ul>
<p class="note">${duration}</p>
<form method="post" action="/oauth2/authorize/decision">
<input type="hidden" name="request_id" value="${escapeHtml(request.id)}">
<label for="account">Signed in as</label>
<select id="account" name="account">${options}</select>
<div class="buttons">
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</div></form>`);
}

/** Dropbox's "Error (400)" page for a bad client or redirect URI; never redirects. */
export function renderErrorPage(message: string): string {
  return layout('Error (400)', `<h1>Error (400)</h1><p class="error" id="error">${escapeHtml(message)}</p>
<p>It seems the app you were using submitted a bad request. If you would like to report this error to the app's developer, include the information above.</p>`);
}

/** Shown for the code flow without redirect_uri: the user copies the code into the app. */
export function renderCodePage(app: ResolvedApp, code: string): string {
  return layout('Access code', `<h1>Enter this code into ${escapeHtml(app.name)} to finish the process</h1><p><code id="code">${escapeHtml(code)}</code></p>`);
}

export function renderDeniedPage(app: ResolvedApp): string {
  return layout('Access denied', `<h1>You did not allow ${escapeHtml(app.name)} access to your Dropbox</h1>`);
}
