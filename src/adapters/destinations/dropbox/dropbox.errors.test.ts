import { DropboxResponseError } from 'dropbox';
import { describe, expect, it } from 'vitest';
import { DBackupError } from '../../../core/errors.ts';
import { TokenRefreshError } from './dropbox-auth.ts';
import { classifyDropboxFailure, correctOffsetOf, errorTags, exhaustedError, quotaExceededError } from './dropbox.errors.ts';

// Bodies as Dropbox sends them (see shared/reference/dropbox-api.md §3, §6); the summary's
// trailing dots vary on purpose, since classification must not read it.
function apiError(status: number, error: unknown, headers: Record<string, string> = {}): DropboxResponseError<unknown> {
  return new DropboxResponseError(status, new Headers(headers), { error_summary: 'whatever/..', error });
}

const context = { operation: 'files/upload', path: '/Backups/job/a.sql' };

describe('errorTags', () => {
  it('follows nested unions, inlined reasons and rate-limit bodies', () => {
    expect(errorTags(apiError(409, { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'folder' } } }))).toEqual(['path', 'conflict', 'folder']);
    expect(errorTags(apiError(409, { '.tag': 'path', reason: { '.tag': 'insufficient_space' }, upload_session_id: 'x' }))).toEqual(['path', 'insufficient_space']);
    expect(errorTags(apiError(429, { reason: { '.tag': 'too_many_write_operations' } }))).toEqual(['too_many_write_operations']);
    expect(errorTags(new DropboxResponseError(400, new Headers(), 'Error in call to API function "files/upload": bad'))).toEqual([]);
  });

  it('finds correct_offset for append and finish errors only', () => {
    expect(correctOffsetOf(apiError(409, { '.tag': 'incorrect_offset', correct_offset: 8388608 }))).toBe(8388608);
    expect(correctOffsetOf(apiError(409, { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 1024 } }))).toBe(1024);
    expect(correctOffsetOf(apiError(409, { '.tag': 'closed', correct_offset: 5 }))).toBeUndefined();
  });
});

describe('classifyDropboxFailure', () => {
  it('waits Retry-After on 429 and tells contention from rate limiting', () => {
    const contention = classifyDropboxFailure(apiError(429, { reason: { '.tag': 'too_many_write_operations' } }, { 'Retry-After': '3' }), context);
    expect(contention).toMatchObject({ action: 'retry', waitMs: 3000 });
    expect(contention.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 3, details: { reason: 'too_many_write_operations' } });
    expect(contention.error.message).toContain('too_many_write_operations');

    const limited = classifyDropboxFailure(new DropboxResponseError(429, new Headers({ 'Retry-After': '15' }), 'Too many requests'), context);
    expect(limited).toMatchObject({ action: 'retry', waitMs: 15_000 });
    expect(limited.error.details.reason).toBe('too_many_requests');
  });

  it('retries 5xx with backoff and refreshes on expired_access_token', () => {
    expect(classifyDropboxFailure(new DropboxResponseError(503, new Headers(), 'busy'), context)).toMatchObject({ action: 'retry', waitMs: undefined });
    expect(classifyDropboxFailure(apiError(401, { '.tag': 'expired_access_token' }), context).action).toBe('refresh_token');
  });

  it('names the missing scope and how to fix it', () => {
    const { error, action } = classifyDropboxFailure(apiError(401, { '.tag': 'missing_scope', required_scope: 'files.content.write' }), context);
    expect(action).toBe('fail');
    expect(error.code).toBe('missing_scope');
    expect(error.details.requiredScope).toBe('files.content.write');
    expect(error.message).toContain(
      "Enable the 'files.content.write' permission in the Dropbox App Console (Permissions tab), then click Re-authorize.",
    );
  });

  it('asks to re-authorize for revoked tokens, at the API and at the token endpoint', () => {
    const revoked = classifyDropboxFailure(apiError(401, { '.tag': 'invalid_access_token' }), context).error;
    const grant = classifyDropboxFailure(
      new TokenRefreshError(new DropboxResponseError(400, new Headers(), { error: 'invalid_grant', error_description: 'refresh token is invalid or revoked' })),
      context,
    ).error;
    for (const error of [revoked, grant]) {
      expect(error.code).toBe('authorization_required');
      expect(error.message).toMatch(/^Dropbox rejected the stored authorization \(it was revoked or the app's permissions changed\)\. Click Re-authorize/);
    }
    const client = classifyDropboxFailure(
      new TokenRefreshError(new DropboxResponseError(400, new Headers(), { error: 'invalid_client: Invalid client_id or client_secret' })),
      context,
    ).error;
    expect(client.code).toBe('authorization_required');
    expect(client.message).toContain('App Key or App Secret');
  });

  it('treats a token endpoint outage as transient', () => {
    const failure = classifyDropboxFailure(new TokenRefreshError(new DropboxResponseError(500, new Headers(), { error: 'server' })), context);
    expect(failure).toMatchObject({ action: 'retry', error: { code: 'transient' } });
  });

  it.each([
    [{ '.tag': 'path', reason: { '.tag': 'insufficient_space' } }, 'quota_exceeded'],
    [{ '.tag': 'path', path: { '.tag': 'disallowed_name' } }, 'invalid_input'],
    [{ '.tag': 'path', path: { '.tag': 'malformed_path' } }, 'invalid_input'],
    [{ '.tag': 'path', path: { '.tag': 'not_found' } }, 'not_found'],
    [{ '.tag': 'path_lookup', path_lookup: { '.tag': 'not_found' } }, 'not_found'],
    [{ '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'file' } } }, 'conflict'],
  ])('maps the 409 route error %j to %s without retrying', (body, code) => {
    const failure = classifyDropboxFailure(apiError(409, body), context);
    expect(failure.action).toBe('fail');
    expect(failure.error.code).toBe(code);
  });

  it('resends after content_hash_mismatch and retries write contention inside 409s', () => {
    expect(classifyDropboxFailure(apiError(409, { '.tag': 'content_hash_mismatch' }), context).action).toBe('retry');
    expect(classifyDropboxFailure(apiError(409, { '.tag': 'too_many_write_operations' }), context)).toMatchObject({
      action: 'retry',
      error: { code: 'rate_limited', details: { reason: 'too_many_write_operations' } },
    });
  });

  it('calls a lost upload session transient, but fails instead of retrying the request', () => {
    const failure = classifyDropboxFailure(apiError(409, { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_found' } }), {
      ...context,
      session: true,
    });
    expect(failure).toMatchObject({ action: 'fail', error: { code: 'transient', retryable: true } });
  });

  it('reads plain-text 400s as invalid input', () => {
    const failure = classifyDropboxFailure(new DropboxResponseError(400, new Headers(), 'Error in call to API function "files/upload": bad path'), context);
    expect(failure).toMatchObject({ action: 'fail', error: { code: 'invalid_input' } });
  });

  it('classifies fetch failures by their socket error code', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    const reset = new TypeError('terminated', { cause: Object.assign(new Error('closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(classifyDropboxFailure(refused, context)).toMatchObject({ action: 'retry', unreachable: true });
    expect(classifyDropboxFailure(reset, context)).toMatchObject({ action: 'retry', unreachable: false });
    expect(classifyDropboxFailure(new TypeError('a bug'), context)).toMatchObject({ action: 'fail', error: { code: 'internal' } });
  });

  it('turns anything after the caller aborted into cancelled', () => {
    const signal = AbortSignal.abort();
    const failure = classifyDropboxFailure(new DropboxResponseError(503, new Headers(), ''), { ...context, signal });
    expect(failure).toMatchObject({ action: 'fail', error: { code: 'cancelled' } });
  });

  it('passes errors already classified by an operation through, without retrying them', () => {
    const error = new DBackupError('transient', 'nested retry loop gave up');
    expect(classifyDropboxFailure(error, context)).toEqual({ error, action: 'fail' });
  });
});

describe('exhaustedError and quotaExceededError', () => {
  it('says Dropbox is unreachable once connection retries run out', () => {
    const failure = classifyDropboxFailure(new TypeError('fetch failed', { cause: Object.assign(new Error('dns'), { code: 'ENOTFOUND' }) }), context);
    const error = exhaustedError(failure, 6, { ...context, apiBaseUrl: 'http://127.0.0.1:9' });
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('Cannot reach the Dropbox API at http://127.0.0.1:9');
    expect(error.message).toContain('after 6 attempts (ENOTFOUND)');
  });

  it('shows used and allocated space with the fix', () => {
    const base = classifyDropboxFailure(apiError(409, { '.tag': 'path', reason: { '.tag': 'insufficient_space' } }), context).error;
    const error = quotaExceededError(base, { used: 1.5 * 1024 ** 3, allocated: 2 * 1024 ** 3 });
    expect(error.message).toBe('Your Dropbox is full (1.50 GiB of 2.00 GiB used). Free up space in Dropbox or upgrade your plan, then run the backup again.');
    expect(error.details).toMatchObject({ used: 1.5 * 1024 ** 3, allocated: 2 * 1024 ** 3 });
  });
});
