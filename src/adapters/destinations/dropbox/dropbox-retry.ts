import { DBackupError, cancelledError, throwIfAborted } from '../../../core/errors.ts';
import type { SharedDropboxAuth } from './dropbox-auth.ts';
import { classifyDropboxFailure, exhaustedError, type FailureContext } from './dropbox.errors.ts';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff before the 2nd attempt; doubles each time, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** `expired_access_token` answers tolerated per request before giving up. */
  maxTokenRefreshes: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxTokenRefreshes: 2 };

/** Receives retry notices; never given tokens or request bodies. */
export interface DropboxLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waits `ms`, rejecting with `cancelled` as soon as `signal` fires. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError(signal.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Thrown by an operation to be re-run at once (it already reconciled its state, e.g. an upload
 * offset); counts as an attempt.
 */
export class RetryNow extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryNow';
  }
}

export interface Retrier {
  /**
   * Runs `operation` until it succeeds, retrying what `dropbox.errors.ts` calls retryable:
   * waits Retry-After for 429s, backs off exponentially (with jitter) on 5xx and broken
   * connections, refreshes the access token after `expired_access_token`. Each attempt first
   * makes sure a fresh access token exists and passes it in. Throws a classified `DBackupError`;
   * `cancelled` as soon as `context.signal` fires.
   */
  run<T>(context: FailureContext, operation: (accessToken: string, attempt: number) => Promise<T>): Promise<T>;
}

export function createRetrier(options: {
  auth: SharedDropboxAuth;
  policy: RetryPolicy;
  sleep?: Sleep;
  logger?: DropboxLogger;
  random?: () => number;
  apiBaseUrl?: string;
}): Retrier {
  const { auth, policy, logger } = options;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;

  const backoff = (attempt: number): number => {
    const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };

  return {
    async run(context, operation) {
      let attempt = 0;
      let refreshes = 0;
      for (;;) {
        throwIfAborted(context.signal);
        attempt += 1;
        let token: string | undefined;
        try {
          token = await auth.currentAccessToken();
          return await operation(token, attempt);
        } catch (error) {
          if (error instanceof RetryNow) {
            if (attempt < policy.maxAttempts * 2) continue;
            throw new DBackupError('internal', `Dropbox ${context.operation} did not settle: ${error.message}`, { cause: error });
          }
          const failure = classifyDropboxFailure(error, context);
          if (failure.action === 'refresh_token' && refreshes < policy.maxTokenRefreshes) {
            refreshes += 1;
            attempt -= 1;
            auth.invalidateAccessToken(token);
            logger?.warn(`Dropbox access token expired during ${context.operation}; refreshing and retrying.`, {
              operation: context.operation,
            });
            continue;
          }
          if (failure.action !== 'retry') throw failure.error;
          if (attempt >= policy.maxAttempts) throw exhaustedError(failure, attempt, { ...context, apiBaseUrl: options.apiBaseUrl });
          const waitMs = failure.waitMs ?? backoff(attempt);
          logger?.warn(`Dropbox ${context.operation} failed (${failureReason(failure.error)}); retrying in ${waitMs} ms.`, {
            operation: context.operation,
            code: failure.error.code,
            reason: failureReason(failure.error),
            attempt,
            maxAttempts: policy.maxAttempts,
            waitMs,
          });
          await sleep(waitMs, context.signal);
        }
      }
    },
  };
}

function failureReason(error: DBackupError): string {
  const { reason, networkCode, status } = error.details;
  if (typeof reason === 'string') return reason;
  if (typeof networkCode === 'string') return networkCode;
  if (typeof status === 'number') return `HTTP ${status}`;
  return error.code;
}
