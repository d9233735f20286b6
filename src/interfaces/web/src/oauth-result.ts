/**
 * The OAuth callback ends on `/destinations?oauth=success|error&...`. When that page loads inside
 * the authorization popup it hands the result to the main window over a BroadcastChannel (works
 * even when the consent site cut `window.opener`) and closes itself.
 */
export interface OAuthResult {
  ok: boolean;
  destinationId?: string;
  message: string;
}

const CHANNEL = 'dbackup-oauth';
export const POPUP_NAME = 'dbackup-dropbox-authorize';

export function takeOAuthResultFromUrl(): OAuthResult | undefined {
  const params = new URLSearchParams(window.location.search);
  const outcome = params.get('oauth');
  if (outcome !== 'success' && outcome !== 'error') return undefined;
  const account = params.get('account');
  const result: OAuthResult = {
    ok: outcome === 'success',
    destinationId: params.get('destination') ?? undefined,
    message:
      outcome === 'success'
        ? `Dropbox authorized${account ? ` as ${account}` : ''}.`
        : (params.get('message') ?? 'Dropbox authorization failed.'),
  };
  window.history.replaceState(null, '', window.location.pathname);
  return result;
}

export function isAuthorizationPopup(): boolean {
  return window.name === POPUP_NAME || (window.opener !== null && window.opener !== window);
}

export function announceOAuthResult(result: OAuthResult): void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(result);
  channel.close();
}

export function onOAuthResult(listener: (result: OAuthResult) => void): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<OAuthResult>) => listener(event.data);
  return () => channel.close();
}
