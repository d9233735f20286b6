/**
 * Outbound notifications: one JSON document POSTed to one webhook URL.
 *
 * Errors (all `DBackupError`, messages safe to show — they never contain the URL's path or query,
 * which may hold a token):
 * - `transient` (retryable) — host unreachable, connection refused, timeout, or HTTP 5xx;
 *   sent again up to `attempts` times with backoff before this is thrown;
 * - `invalid_input` — HTTP 4xx (wrong URL or token; not retried), or a URL that is not http(s);
 * - `cancelled` — `signal` aborted.
 * Messages name the HTTP status or the network cause.
 */
import type { Secret } from '../core/secret.ts';

export interface DeliveryOptions {
  /** Tries in all, for network errors and 5xx. Default the adapter's (3). */
  attempts?: number;
  signal?: AbortSignal;
}

export interface Notifier {
  /** Resolves when the webhook answered 2xx. */
  deliver(url: Secret, payload: object, options?: DeliveryOptions): Promise<void>;
}
