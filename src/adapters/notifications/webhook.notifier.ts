/**
 * The Notifier over node's fetch: POST with a JSON body, a per-attempt timeout, and a few retries
 * with growing delays on network errors and 5xx. 4xx is final (the URL or its token is wrong).
 */
import { DBackupError, isDBackupError } from '../../core/errors.ts';
import type { Secret } from '../../core/secret.ts';
import type { DeliveryOptions, Notifier } from '../../ports/notifier.port.ts';

export interface WebhookNotifierOptions {
  /** Sent as User-Agent, e.g. `DBackup/0.1.0`. */
  userAgent: string;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Default 3. */
  attempts?: number;
  /** Delay before the second attempt; doubled for each further one. Default 1 s. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const backoffMs = options.backoffMs ?? 1000;
  const doFetch = options.fetch ?? fetch;

  async function attempt(url: URL, body: string, signal: AbortSignal | undefined): Promise<void> {
    const where = hostOf(url);
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': options.userAgent, accept: '*/*' },
        body,
        redirect: 'error',
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      });
    } catch (error) {
      if (signal?.aborted) throw new DBackupError('cancelled', 'Sending the notification was cancelled.', { cause: error, retryable: false });
      if (timeout.aborted) {
        throw new DBackupError('transient', `${where} did not answer within ${timeoutMs / 1000} s (timeout). Check that the webhook service is up and reachable from DBackup.`, { cause: error });
      }
      throw new DBackupError('transient', `Could not reach ${where}: ${networkCause(error)}. Check the host name, port and that DBackup can connect to it.`, { cause: error });
    }
    // The answer is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (response.status >= 500) {
      throw new DBackupError('transient', `${where} answered ${status}. The webhook service has a problem; check it or try again later.`, { details: { status: response.status } });
    }
    throw new DBackupError('invalid_input', `${where} refused the notification with ${status}. Check the webhook URL and its token.`, {
      retryable: false,
      details: { status: response.status },
    });
  }

  return {
    async deliver(url: Secret, payload: object, deliveryOptions: DeliveryOptions = {}) {
      const target = parseWebhookUrl(url.reveal());
      const body = JSON.stringify(payload);
      const attempts = Math.max(1, deliveryOptions.attempts ?? options.attempts ?? 3);
      for (let tried = 1; ; tried += 1) {
        try {
          await attempt(target, body, deliveryOptions.signal);
          return;
        } catch (error) {
          if (!isDBackupError(error) || !error.retryable) throw error;
          if (tried >= attempts) {
            if (tried === 1) throw error;
            throw new DBackupError(error.code, `${error.message} (Tried ${tried} times.)`, { cause: error, retryable: true, details: error.details });
          }
          await delay(backoffMs * 2 ** (tried - 1), deliveryOptions.signal);
        }
      }
    },
  };
}

/** Throws `invalid_input` unless `text` is an absolute http(s) URL. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DBackupError('invalid_input', 'The webhook URL is not a valid URL. Paste the full address, starting with https://.', { retryable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DBackupError('invalid_input', `Webhook URLs must start with http:// or https:// (got ${url.protocol}).`, { retryable: false });
  }
  return url;
}

/** Scheme and host only: the path and query may carry a token. */
function hostOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') return `unknown host (${cause.code})`;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (cause?.code) return `${cause.message ?? 'network error'} (${cause.code})`;
  return cause?.message ?? (error as Error)?.message ?? String(error);
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DBackupError('cancelled', 'Sending the notification was cancelled.', { retryable: false }));
    }, { once: true });
  });
}
