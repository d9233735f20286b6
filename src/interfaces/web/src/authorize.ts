import { api } from './api.ts';
import { POPUP_NAME } from './oauth-result.ts';

/**
 * Starts the Dropbox consent flow. The popup is opened synchronously inside the click (so popup
 * blockers allow it) and pointed at Dropbox once the server has built the authorize URL; when the
 * browser refuses popups, the whole page goes to Dropbox and comes back to the destinations page.
 */
export async function startDropboxAuthorization(destinationId: string): Promise<void> {
  const popup = window.open('', POPUP_NAME, 'popup,width=720,height=780');
  try {
    const { authorizeUrl } = await api<{ authorizeUrl: string }>('POST', `/api/destinations/${encodeURIComponent(destinationId)}/authorize`);
    if (popup && !popup.closed) popup.location.href = authorizeUrl;
    else window.location.assign(authorizeUrl);
  } catch (error) {
    popup?.close();
    throw error;
  }
}
