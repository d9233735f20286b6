import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http-errors.ts';

export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token of a browser session, derived from the session's secret cookie value. A page on
 * another site can make the browser send the cookie but can neither read it nor this token, so a
 * request carrying the right `X-CSRF-Token` header came from our own UI. Stateless: the same session
 * always has the same token, also across server restarts.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update('dbackup-csrf\0').update(sessionToken).digest('base64url');
}

/** Throws 403 `csrf` unless the request carries the session's token. */
export function assertCsrf(request: Request, sessionToken: string): void {
  const sent = request.headers.get(CSRF_HEADER) ?? '';
  const expected = csrfTokenFor(sessionToken);
  const ok = sent.length === expected.length && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) {
    throw new HttpError('csrf', 'The request is missing a valid X-CSRF-Token header. Reload the page and try again.');
  }
}

export function isStateChanging(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
}
