/**
 * One error type for the whole product. `code` is stable (tests, HTTP and CLI mappings branch on
 * it), `message` is written for the user and says what to do, `retryable` tells the retry loops
 * whether trying again can help, and `cause` keeps the original failure for logs.
 */
export type ErrorCode =
  | 'not_found'
  | 'authorization_required'
  | 'missing_scope'
  | 'quota_exceeded'
  | 'rate_limited'
  | 'transient'
  | 'integrity'
  | 'invalid_input'
  | 'too_large'
  | 'conflict'
  | 'cancelled'
  | 'unavailable'
  | 'internal';

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'not_found', 'authorization_required', 'missing_scope', 'quota_exceeded', 'rate_limited', 'transient', 'integrity',
  'invalid_input', 'too_large', 'conflict', 'cancelled', 'unavailable', 'internal',
]);

/** For codes read back from storage: anything unknown counts as `internal`. */
export function asErrorCode(value: string | undefined): ErrorCode {
  return value !== undefined && ERROR_CODES.has(value) ? (value as ErrorCode) : 'internal';
}

export interface DBackupErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** Seconds the server asked us to wait before retrying (rate limits). */
  retryAfterSeconds?: number;
  /** Machine-readable extras, e.g. `{ requiredScope }` or `{ used, allocated }`. */
  details?: Record<string, unknown>;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(['rate_limited', 'transient']);

export class DBackupError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DBackupErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DBackupError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details ?? {};
  }
}

export function isDBackupError(error: unknown, code?: ErrorCode): error is DBackupError {
  return error instanceof DBackupError && (code === undefined || error.code === code);
}

/** Wraps an AbortSignal's reason as the product's `cancelled` error. */
export function cancelledError(cause?: unknown): DBackupError {
  return new DBackupError('cancelled', 'The operation was cancelled.', { cause, retryable: false });
}

/** Throws `cancelled` when the signal has fired; call between steps of long operations. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError(signal.reason);
}
