/**
 * Typed client of the emulator's test-control API (`/__emulator/...`), for tests and tools.
 * Every method rejects with an Error naming the status and body when the emulator refuses.
 */
export interface MintedTokens {
  refreshToken: string;
  accessToken: string;
  expiresIn: number;
  accountId: string;
}

export interface FaultSpec {
  /** Route name (`files/upload`, `files/download`, `oauth2/token`, ...) or `*` for every route. */
  route: string;
  /** `rate_limit` | `server_error` | `reset_request` | `reset_response` | `expired_access_token` | `lost_response`. */
  kind: string;
  /** For rate_limit: `too_many_requests` (default) or `too_many_write_operations`. */
  reason?: string;
  /** For rate_limit: Retry-After seconds (default 1). */
  retryAfter?: number;
  /** For server_error: HTTP status (default 503). */
  status?: number;
  /** For reset_request / reset_response: bytes of the body to let through before the reset (default 0). */
  afterBytes?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** How many matching requests pass before the first failure (default 0). */
  skip?: number;
}

export interface EmulatorControl {
  mintTokens(a: { appKey: string; accountEmail: string; scopes?: string[] }): Promise<MintedTokens>;
  injectFault(f: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
  revokeApp(appKey: string): Promise<void>;
  setScopes(appKey: string, scopes: string[], invalidateTokens?: boolean): Promise<void>;
  setQuota(email: string, bytes: number): Promise<void>;
  reset(): Promise<void>;
  advanceClock(seconds: number): Promise<void>;
}

export function createEmulatorControl(url: string): EmulatorControl {
  const base = url.replace(/\/+$/, '');

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.headers = { 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const response = await fetch(`${base}/__emulator/${path}`, init);
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator control ${method} /__emulator/${path} failed: ${response.status} ${text}`);
    return text === '' ? null : JSON.parse(text);
  }

  return {
    async mintTokens(a) {
      const body: Record<string, unknown> = { app_key: a.appKey, account_email: a.accountEmail };
      if (a.scopes) body['scopes'] = a.scopes;
      const r = (await call('POST', 'tokens', body)) as { refresh_token: string; access_token: string; expires_in: number; account_id: string };
      return { refreshToken: r.refresh_token, accessToken: r.access_token, expiresIn: r.expires_in, accountId: r.account_id };
    },
    async injectFault(f) {
      const body: Record<string, unknown> = { route: f.route, kind: f.kind };
      if (f.reason !== undefined) body['reason'] = f.reason;
      if (f.retryAfter !== undefined) body['retry_after'] = f.retryAfter;
      if (f.status !== undefined) body['status'] = f.status;
      if (f.afterBytes !== undefined) body['after_bytes'] = f.afterBytes;
      if (f.times !== undefined) body['times'] = f.times;
      if (f.skip !== undefined) body['skip'] = f.skip;
      await call('POST', 'faults', body);
    },
    async clearFaults() {
      await call('DELETE', 'faults');
    },
    async revokeApp(appKey) {
      await call('POST', `apps/${encodeURIComponent(appKey)}/revoke`);
    },
    async setScopes(appKey, scopes, invalidateTokens) {
      await call('POST', `apps/${encodeURIComponent(appKey)}/scopes`, { scopes, invalidate_tokens: invalidateTokens ?? false });
    },
    async setQuota(email, bytes) {
      await call('POST', `accounts/${encodeURIComponent(email)}/quota`, { bytes });
    },
    async reset() {
      await call('POST', 'reset');
    },
    async advanceClock(seconds) {
      await call('POST', 'clock', { advance_seconds: seconds });
    },
  };
}
