/** A tiny API client for tests: keeps the session cookie and CSRF token like the web UI does. */
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiClient {
  cookie: string | undefined;
  csrfToken: string | undefined;
  bearer: string | undefined;
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** Follows nothing: returns the raw response (redirect tests). */
  raw(path: string, init?: RequestInit): Promise<Response>;
}

export function createApiClient(baseUrl: string): ApiClient {
  const client: ApiClient = {
    cookie: undefined,
    csrfToken: undefined,
    bearer: undefined,
    async request(method, path, body, extra = {}) {
      const headers: Record<string, string> = { ...extra };
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      if (client.cookie) headers.cookie = client.cookie;
      if (client.csrfToken && method !== 'GET') headers['x-csrf-token'] ??= client.csrfToken;
      if (client.bearer) headers.authorization = `Bearer ${client.bearer}`;
      const response = await fetch(baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        redirect: 'manual',
      });
      const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith('dbackup_session='));
      if (setCookie) {
        const value = setCookie.split(';')[0] ?? '';
        client.cookie = value === 'dbackup_session=' ? undefined : value;
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      const csrf = (parsed as { csrfToken?: unknown } | undefined)?.csrfToken;
      if (typeof csrf === 'string') client.csrfToken = csrf;
      return { status: response.status, headers: response.headers, body: parsed as never, text };
    },
    raw(path, init = {}) {
      const headers = new Headers(init.headers);
      if (client.cookie) headers.set('cookie', client.cookie);
      return fetch(baseUrl + path, { ...init, headers, redirect: 'manual' });
    },
  };
  return client;
}

/**
 * Plays the user on the emulator's consent page: loads the authorize URL, then submits the
 * decision form for `account`. Returns the redirect target (DBackup's callback URL with code or
 * error), or the error page HTML when the emulator refuses to redirect.
 */
export async function consent(authorizeUrl: string, decision: 'allow' | 'deny', account: string): Promise<{ location?: string; html?: string }> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  if (!requestId) return { html };
  const origin = new URL(authorizeUrl).origin;
  const response = await fetch(`${origin}/oauth2/authorize/decision`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: requestId, account, decision }).toString(),
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  return location ? { location } : { html: await response.text() };
}
