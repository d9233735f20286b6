import { DBackupError, type ErrorCode } from '../../core/errors.ts';

/**
 * The one place where product errors become HTTP responses. Every error body has the shape
 * `{ "error": { "code", "message", "details"? } }`; unknown failures become a 500 whose message
 * hides internals (the cause is logged by the caller, never sent).
 */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  not_found: 404,
  authorization_required: 409,
  missing_scope: 409,
  quota_exceeded: 507,
  rate_limited: 429,
  transient: 503,
  integrity: 422,
  invalid_input: 400,
  too_large: 413,
  conflict: 409,
  cancelled: 499,
  unavailable: 503,
  internal: 500,
};

/** HTTP-only failures that have no product error code (authentication, CSRF, method). */
export type HttpOnlyCode = 'unauthenticated' | 'csrf' | 'method_not_allowed';

const STATUS_BY_HTTP_CODE: Record<HttpOnlyCode, number> = {
  unauthenticated: 401,
  csrf: 403,
  method_not_allowed: 405,
};

/** An error raised by the HTTP layer itself (not by the core). */
export class HttpError extends Error {
  readonly code: HttpOnlyCode;
  constructor(code: HttpOnlyCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
  }
}

export function statusForError(error: unknown): number {
  if (error instanceof HttpError) return STATUS_BY_HTTP_CODE[error.code];
  if (error instanceof DBackupError) return STATUS_BY_CODE[error.code];
  return 500;
}

/** Turns any thrown value into the JSON error response; `log` receives unexpected failures. */
export function errorResponse(error: unknown, log: (error: unknown) => void = () => {}): Response {
  const status = statusForError(error);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  let body: { code: string; message: string; details?: Record<string, unknown> };
  if (error instanceof HttpError) {
    body = { code: error.code, message: error.message };
  } else if (error instanceof DBackupError) {
    body = { code: error.code, message: error.message };
    if (Object.keys(error.details).length > 0) body.details = error.details;
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfterSeconds));
    if (status >= 500) log(error);
  } else {
    log(error);
    body = { code: 'internal', message: 'Something went wrong inside DBackup. The server log has the details.' };
  }
  return new Response(JSON.stringify({ error: body }), { status, headers });
}
