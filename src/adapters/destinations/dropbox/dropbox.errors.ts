import { DropboxResponseError } from 'dropbox';
import { DBackupError, cancelledError } from '../../../core/errors.ts';
import { TokenRefreshError } from './dropbox-auth.ts';

/**
 * The ONE place that turns Dropbox failures into `DBackupError`s. Decisions rest on the API's
 * error tags (`error[".tag"]` chains), the HTTP status, the token endpoint's `error` field and
 * socket error codes — never on message text, which Dropbox changes freely.
 */

/** What the retry loop should do with a failure. */
export type FailureAction = 'fail' | 'retry' | 'refresh_token';

export interface ClassifiedFailure {
  error: DBackupError;
  action: FailureAction;
  /** Server-requested wait (Retry-After), when there was one. */
  waitMs?: number;
  /** The connection could not even be opened (refused, DNS): `unavailable` once retries run out. */
  unreachable?: boolean;
}

export interface FailureContext {
  /** Route or step, for messages and logs: `files/upload`, `upload_session/append_v2`. */
  operation: string;
  /** The Dropbox path involved, for messages. */
  path?: string;
  signal?: AbortSignal;
  /** Upload-session steps: a `not_found` there means the session, not the file. */
  session?: boolean;
}

const REAUTHORIZE =
  "Dropbox rejected the stored authorization (it was revoked or the app's permissions changed). " +
  'Click Re-authorize in the destination settings to connect Dropbox again.';

const QUOTA_TAGS = new Set(['insufficient_space', 'team_folder_insufficient_space', 'member_folder_insufficient_space']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null;
}

/**
 * Tags of an API error body, outermost first. Unions nest under a key named like the tag
 * (`{".tag":"path","path":{".tag":"not_found"}}` → `path/not_found`); `files/upload` inlines a
 * `reason`; rate-limit bodies carry only `reason`.
 */
export function errorTags(error: unknown): string[] {
  const body = error instanceof DropboxResponseError ? (error.error as unknown) : error;
  const root = isObject(body) && isObject(body.error) ? body.error : undefined;
  const tags: string[] = [];
  let current: unknown = root;
  while (isObject(current) && tags.length < 8) {
    const tag = current['.tag'];
    if (typeof tag !== 'string') {
      current = current.reason;
      continue;
    }
    tags.push(tag);
    const nested = current[tag];
    current = isObject(nested) ? nested : current.reason;
  }
  return tags;
}

/** `correct_offset` from an `incorrect_offset` error (append or finish), if that is what it is. */
export function correctOffsetOf(error: unknown): number | undefined {
  if (!(error instanceof DropboxResponseError) || !errorTags(error).includes('incorrect_offset')) return undefined;
  let found: number | undefined;
  const visit = (value: unknown): void => {
    if (!isObject(value) || found !== undefined) return;
    if (typeof value.correct_offset === 'number') found = value.correct_offset;
    else Object.values(value).forEach(visit);
  };
  visit(error.error);
  return found;
}

/** True when the request never got an HTTP response (reset, refused, timed out). */
export function isNetworkFailure(error: unknown): boolean {
  return networkCode(error) !== undefined;
}

/** Socket-level code of a fetch failure (`ECONNRESET`, `UND_ERR_SOCKET`, ...), or `undefined`. */
function networkCode(error: unknown): string | undefined {
  if (error instanceof DropboxResponseError || error instanceof DBackupError) return undefined;
  // fetch() rejects with TypeError('fetch failed') and a broken body with TypeError('terminated');
  // either way the cause chain carries the socket error. A cause-less TypeError is a bug, not I/O.
  let current: unknown = error;
  for (let depth = 0; depth < 5 && isObject(current); depth += 1) {
    const code = current.code;
    if (typeof code === 'string' && code !== '') return code;
    current = current.cause;
  }
  if (error instanceof TypeError && error.cause instanceof Error) return 'EFETCH';
  return undefined;
}

function retryAfterMs(error: DropboxResponseError<unknown>): number | undefined {
  const headers = error.headers as Headers | undefined;
  const header = typeof headers?.get === 'function' ? headers.get('retry-after') : null;
  if (header !== null && /^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const body = error.error;
  if (isObject(body) && isObject(body.error) && typeof body.error.retry_after === 'number') {
    return body.error.retry_after * 1000;
  }
  return undefined;
}

function summaryOf(error: DropboxResponseError<unknown>): string {
  const body = error.error;
  if (typeof body === 'string') return body.slice(0, 300);
  if (isObject(body) && typeof body.error_summary === 'string') return body.error_summary;
  return `HTTP ${error.status}`;
}

function where(context: FailureContext): string {
  return context.path ? ` (${context.path})` : '';
}

function fail(error: DBackupError): ClassifiedFailure {
  return { error, action: 'fail' };
}

/** Classifies any failure seen while talking to Dropbox. */
export function classifyDropboxFailure(error: unknown, context: FailureContext): ClassifiedFailure {
  if (context.signal?.aborted) return fail(cancelledError(context.signal.reason ?? error));
  // Already classified by the operation itself (or by a nested retry loop): never retried again.
  if (error instanceof DBackupError) return fail(error);
  if (error instanceof TokenRefreshError) return classifyTokenFailure(error.cause, context);
  if (error instanceof DropboxResponseError) return classifyResponse(error, context);
  const code = networkCode(error);
  if (code !== undefined) {
    return {
      error: new DBackupError('transient', `The connection to Dropbox failed during ${context.operation} (${code}).`, {
        cause: error,
        details: { networkCode: code },
      }),
      action: 'retry',
      unreachable: CONNECT_CODES.has(code),
    };
  }
  if (isObject(error) && error.name === 'AbortError') {
    // Aborted, but not by the caller's signal: a timeout somewhere below us.
    return { error: new DBackupError('transient', `Dropbox ${context.operation} timed out.`, { cause: error }), action: 'retry' };
  }
  return fail(new DBackupError('internal', `Unexpected failure during Dropbox ${context.operation}.`, { cause: error }));
}

function classifyTokenFailure(cause: unknown, context: FailureContext): ClassifiedFailure {
  if (!(cause instanceof DropboxResponseError)) return classifyDropboxFailure(cause, { ...context, operation: 'oauth2/token' });
  if (cause.status >= 500 || cause.status === 429) return classifyResponse(cause, { ...context, operation: 'oauth2/token' });
  const body = cause.error as unknown;
  // The token endpoint answers with an OAuth body, `{"error": "invalid_grant", ...}`; older
  // replies fold the reason into the field (`invalid_client: Invalid client_id ...`).
  const field = isObject(body) && typeof body.error === 'string' ? body.error.split(':')[0]?.trim() : undefined;
  if (field === 'invalid_client') {
    return fail(
      new DBackupError(
        'authorization_required',
        'Dropbox rejected the App Key or App Secret. Copy both again from the Dropbox App Console (Settings tab), save, then click Re-authorize.',
        { cause, details: { tokenError: field } },
      ),
    );
  }
  return fail(new DBackupError('authorization_required', REAUTHORIZE, { cause, details: { tokenError: field ?? `HTTP ${cause.status}` } }));
}

function classifyResponse(error: DropboxResponseError<unknown>, context: FailureContext): ClassifiedFailure {
  const { status } = error;
  const tags = errorTags(error);
  const first = tags[0];
  const summary = summaryOf(error);
  if (status === 401) return classifyAuth(error, tags, context);
  if (status === 429) return rateLimited(error, tags.includes('too_many_write_operations'), context, retryAfterMs(error));
  if (status >= 500 || status === 408) {
    return {
      error: new DBackupError('transient', `Dropbox had a temporary problem during ${context.operation} (HTTP ${status}).`, {
        cause: error,
        details: { status },
      }),
      action: 'retry',
      waitMs: retryAfterMs(error),
    };
  }
  if (status === 400) {
    return fail(
      new DBackupError('invalid_input', `Dropbox refused the ${context.operation} request${where(context)}: ${summary}`, {
        cause: error,
        details: { status },
      }),
    );
  }
  if (status === 403 || status === 422) {
    return fail(
      new DBackupError(
        status === 403 ? 'authorization_required' : 'invalid_input',
        `Dropbox denied ${context.operation}${where(context)} (${first ?? summary}). Check the Dropbox account and app access type, then Re-authorize.`,
        { cause: error, details: { status, tags } },
      ),
    );
  }
  if (status === 409) return classifyRouteError(error, tags, context, summary);
  return fail(new DBackupError('internal', `Dropbox answered ${context.operation} with HTTP ${status}: ${summary}`, { cause: error, details: { status, tags } }));
}

function classifyAuth(error: DropboxResponseError<unknown>, tags: string[], context: FailureContext): ClassifiedFailure {
  const tag = tags[0];
  if (tag === 'expired_access_token') {
    return { error: new DBackupError('authorization_required', REAUTHORIZE, { cause: error, details: { tags } }), action: 'refresh_token' };
  }
  if (tag === 'missing_scope') {
    const body = error.error as unknown;
    const scope = isObject(body) && isObject(body.error) && typeof body.error.required_scope === 'string' ? body.error.required_scope : 'required';
    return fail(
      new DBackupError(
        'missing_scope',
        `The Dropbox app is missing the '${scope}' permission needed for ${context.operation}. ` +
          `Enable the '${scope}' permission in the Dropbox App Console (Permissions tab), then click Re-authorize.`,
        { cause: error, details: { requiredScope: scope } },
      ),
    );
  }
  if (tag === 'user_suspended') {
    return fail(new DBackupError('authorization_required', 'The Dropbox account is suspended. Resolve it with Dropbox, then click Re-authorize.', { cause: error }));
  }
  return fail(new DBackupError('authorization_required', REAUTHORIZE, { cause: error, details: { tags } }));
}

function rateLimited(error: unknown, contention: boolean, context: FailureContext, waitMs: number | undefined): ClassifiedFailure {
  const reason = contention ? 'too_many_write_operations' : 'too_many_requests';
  const message = contention
    ? `Dropbox reported write contention during ${context.operation} (too_many_write_operations): something else is writing to this Dropbox at the same time.`
    : `Dropbox is rate limiting DBackup (too_many_requests) during ${context.operation}.`;
  return {
    error: new DBackupError('rate_limited', message, {
      cause: error,
      retryAfterSeconds: waitMs === undefined ? undefined : waitMs / 1000,
      details: { reason },
    }),
    action: 'retry',
    waitMs,
  };
}

function classifyRouteError(error: DropboxResponseError<unknown>, tags: string[], context: FailureContext, summary: string): ClassifiedFailure {
  const has = (tag: string): boolean => tags.includes(tag);
  const path = where(context);
  const make = (code: ConstructorParameters<typeof DBackupError>[0], message: string): ClassifiedFailure =>
    fail(new DBackupError(code, message, { cause: error, details: { tags } }));

  if (tags.some((tag) => QUOTA_TAGS.has(tag))) {
    return make('quota_exceeded', 'Your Dropbox is full. Free up space in Dropbox or upgrade your plan, then run the backup again.');
  }
  if (has('too_many_write_operations')) return rateLimited(error, true, context, undefined);
  if (has('content_hash_mismatch')) {
    // The bytes Dropbox received differ from what we hashed: corrupted in transit, so resend.
    return {
      error: new DBackupError('integrity', `Dropbox received corrupted data during ${context.operation}${path}.`, { cause: error }),
      action: 'retry',
    };
  }
  if (has('disallowed_name')) {
    return make('invalid_input', `Dropbox does not allow this file or folder name${path}. Rename the job or choose another Folder Path.`);
  }
  if (has('malformed_path')) {
    return make('invalid_input', `Dropbox rejected the path${path} as malformed. Check the Folder Path (no trailing spaces or dots, no empty names).`);
  }
  if (has('no_write_permission') || has('team_folder') || has('access_restricted') || has('operation_suppressed')) {
    return make('invalid_input', `DBackup may not write to this location in Dropbox${path}. Choose a Folder Path you own.`);
  }
  if (has('upload_traffic_limit_reached')) {
    return make('rate_limited', "The Dropbox team's monthly upload traffic limit is reached. Ask the team admin, or try again next month.");
  }
  if (has('conflict')) {
    const kind = tags[tags.indexOf('conflict') + 1];
    return fail(
      new DBackupError('conflict', `Something already exists in Dropbox where DBackup wants to write${path}${kind ? ` (a ${kind.replace('_', ' ')})` : ''}.`, {
        cause: error,
        details: { tags, conflict: kind },
      }),
    );
  }
  if (context.session && (has('not_found') || has('closed') || has('not_closed') || has('incorrect_offset'))) {
    return fail(
      new DBackupError('transient', `The Dropbox upload session was lost or expired (${summary}). Run the backup again.`, {
        cause: error,
        retryable: true,
        details: { tags },
      }),
    );
  }
  if (has('not_found') || has('not_file') || has('not_folder')) return make('not_found', `Nothing found in Dropbox at${path || ' the requested path'}.`);
  if (has('reset')) return { error: new DBackupError('transient', 'Dropbox invalidated the folder listing; listing again.', { cause: error }), action: 'fail' };
  if (has('too_large') || has('payload_too_large')) return make('too_large', `The file is too large for Dropbox${path}.`);
  return make('internal', `Dropbox refused ${context.operation}${path}: ${summary}`);
}

/**
 * The error to throw once retries are used up. Connection failures that never reached Dropbox
 * become `unavailable`; the rest keep their code with the attempt count in the message.
 */
export function exhaustedError(failure: ClassifiedFailure, attempts: number, context: FailureContext & { apiBaseUrl?: string }): DBackupError {
  const { error } = failure;
  if (failure.unreachable) {
    const target = context.apiBaseUrl ? `the Dropbox API at ${context.apiBaseUrl} (DBACKUP_DROPBOX_API_URL)` : 'Dropbox';
    return new DBackupError(
      'unavailable',
      `Cannot reach ${target} after ${attempts} attempts (${String(error.details.networkCode)}). Check the network, DNS and proxy settings of the DBackup host, then try again.`,
      { cause: error.cause, retryable: true, details: error.details },
    );
  }
  const advice =
    error.details.reason === 'too_many_write_operations'
      ? ' Avoid running several backups into the same Dropbox at once, or try again later.'
      : ' Try again later.';
  return new DBackupError(error.code, `${error.message} Gave up after ${attempts} attempts.${advice}`, {
    cause: error.cause,
    retryable: error.retryable,
    retryAfterSeconds: error.retryAfterSeconds,
    details: error.details,
  });
}

/** Rewrites a quota error with the account's figures, when they could be fetched. */
export function quotaExceededError(cause: DBackupError, usage: { used: number; allocated?: number } | undefined): DBackupError {
  if (usage === undefined) return cause;
  const figures = usage.allocated === undefined ? `${formatBytes(usage.used)} used` : `${formatBytes(usage.used)} of ${formatBytes(usage.allocated)} used`;
  return new DBackupError(
    'quota_exceeded',
    `Your Dropbox is full (${figures}). Free up space in Dropbox or upgrade your plan, then run the backup again.`,
    { cause: cause.cause, details: { ...cause.details, used: usage.used, allocated: usage.allocated } },
  );
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}
