import { randomInt } from 'node:crypto';

/**
 * An HTTP error answer, thrown by route code and turned into a response in one place
 * (`sendFailure`). Text failures are Dropbox's plain-text 400s; JSON failures carry the
 * `{error_summary, error}` envelope.
 */
export class HttpFailure extends Error {
  readonly status: number;
  readonly body: { kind: 'text'; text: string } | { kind: 'envelope'; error: unknown } | { kind: 'raw-json'; value: unknown };
  readonly headers: Record<string, string>;

  constructor(status: number, body: HttpFailure['body'], headers: Record<string, string> = {}) {
    super(body.kind === 'text' ? body.text : `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** 400 plain text; the dispatcher prefixes `Error in call to API function "<route>": `. */
export function badRequest(text: string): HttpFailure {
  return new HttpFailure(400, { kind: 'text', text });
}

/** Route error (409 by default) with the route's error union. */
export function routeError(error: unknown, status = 409): HttpFailure {
  return new HttpFailure(status, { kind: 'envelope', error });
}

/** 401 with an AuthError union, e.g. `{".tag":"expired_access_token"}`. */
export function authFailure(error: Record<string, unknown>): HttpFailure {
  return new HttpFailure(401, { kind: 'envelope', error }, { 'WWW-Authenticate': 'Bearer realm="Dropbox-API"' });
}

export function rateLimited(reason: string, retryAfter: number): HttpFailure {
  return new HttpFailure(429, { kind: 'envelope', error: { reason: { '.tag': reason }, retry_after: retryAfter } }, { 'Retry-After': String(retryAfter) });
}

/** Shorthand for a tagged union value: tag('path', tag('not_found')) etc. */
export function tag(name: string, value?: Record<string, unknown>): Record<string, unknown> {
  if (value === undefined) return { '.tag': name };
  if ('.tag' in value) return { '.tag': name, [name]: value };
  return { '.tag': name, ...value };
}

/** `path/not_found/` from the nested tags of an error value, as in Dropbox's `error_summary`. */
export function summarize(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object') {
    const record = current as Record<string, unknown>;
    const name = record['.tag'];
    let next: unknown;
    if (typeof name === 'string') {
      parts.push(name);
      next = record[name];
      if (!next || typeof next !== 'object') {
        next = Object.entries(record).find(([k, v]) => k !== '.tag' && v && typeof v === 'object' && '.tag' in v)?.[1];
      }
    } else {
      next = Object.values(record).find((v) => v && typeof v === 'object' && '.tag' in v);
    }
    current = next;
  }
  return `${parts.join('/')}/`;
}

/** Dropbox appends 0–3 dots to error summaries, varying per call, so clients can't match them exactly. */
export function envelope(error: unknown): { error_summary: string; error: unknown } {
  return { error_summary: summarize(error) + '.'.repeat(randomInt(4)), error };
}
