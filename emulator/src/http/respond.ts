import { drain } from './body.ts';
import type { Exchange } from './exchange.ts';
import { envelope, type HttpFailure } from './failure.ts';

/**
 * Writes a complete response. The request body is drained first so that a client still sending
 * (e.g. a large upload answered with an error) reads the answer instead of a broken pipe.
 */
export async function send(ex: Exchange, status: number, contentType: string | undefined, body: string | Buffer, headers: Record<string, string> = {}): Promise<void> {
  await drain(ex.req);
  if (ex.res.headersSent || ex.res.destroyed) return;
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const all: Record<string, string | number> = { ...headers, 'Content-Length': buffer.length };
  if (contentType !== undefined) all['Content-Type'] = contentType;
  ex.res.writeHead(status, all);
  ex.res.end(buffer);
}

export function sendJson(ex: Exchange, status: number, value: unknown, headers: Record<string, string> = {}): Promise<void> {
  return send(ex, status, 'application/json', JSON.stringify(value), headers);
}

export function sendText(ex: Exchange, status: number, text: string, headers: Record<string, string> = {}): Promise<void> {
  return send(ex, status, 'text/plain; charset=utf-8', text, headers);
}

export function sendHtml(ex: Exchange, status: number, html: string): Promise<void> {
  return send(ex, status, 'text/html; charset=utf-8', html, { 'Cache-Control': 'no-store' });
}

export function sendRedirect(ex: Exchange, location: string): Promise<void> {
  return send(ex, 302, 'text/plain; charset=utf-8', `Redirecting to ${location}`, { Location: location, 'Cache-Control': 'no-store' });
}

/**
 * The one place an HttpFailure becomes a response: plain text for 400s (prefixed with the API
 * function name when there is one), the `{error_summary, error}` envelope otherwise.
 */
export function sendFailure(ex: Exchange, route: string | undefined, failure: HttpFailure): Promise<void> {
  const body = failure.body;
  if (body.kind === 'text') {
    const text = route === undefined ? body.text : `Error in call to API function "${route}": ${body.text}`;
    return sendText(ex, failure.status, text, failure.headers);
  }
  if (body.kind === 'raw-json') return sendJson(ex, failure.status, body.value, failure.headers);
  return sendJson(ex, failure.status, envelope(body.error), failure.headers);
}
