import { DBackupError } from '../../../core/errors.ts';

/**
 * One setting points every Dropbox call at another server (the emulator in tests and demos):
 * `DBACKUP_DROPBOX_API_URL=http://127.0.0.1:8787`. Unset means real Dropbox.
 */
export const DROPBOX_API_URL_ENV = 'DBACKUP_DROPBOX_API_URL';

/**
 * Origins the SDK (and our own download requests) use. The SDK hard-wires `https://` URLs, so we
 * swap the origin and keep the path (`/2/<route>`, `/oauth2/token`, `/oauth2/authorize`); the
 * emulator dispatches on the path alone.
 */
const DROPBOX_ORIGINS = [
  'https://api.dropboxapi.com',
  'https://content.dropboxapi.com',
  'https://notify.dropboxapi.com',
  'https://api.dropbox.com',
  'https://www.dropbox.com',
  'https://dropbox.com',
];

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The API base URL to use: the explicit option wins, then `DBACKUP_DROPBOX_API_URL`; `undefined`
 * means real Dropbox. Throws `invalid_input` when the value is not an http(s) URL.
 */
export function resolveDropboxApiBaseUrl(
  explicit: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const raw = (explicit ?? env[DROPBOX_API_URL_ENV] ?? '').trim();
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw invalidBaseUrl(raw, cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidBaseUrl(raw);
  if (url.search !== '' || url.hash !== '') throw invalidBaseUrl(raw);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function invalidBaseUrl(value: string, cause?: unknown): DBackupError {
  return new DBackupError(
    'invalid_input',
    `${DROPBOX_API_URL_ENV} must be an http(s) base URL such as http://127.0.0.1:8787, got ${JSON.stringify(value)}.`,
    { cause },
  );
}

/** Maps a Dropbox URL onto `apiBaseUrl` (path and query kept); other URLs pass unchanged. */
export function rewriteDropboxUrl(url: string, apiBaseUrl: string | undefined): string {
  if (apiBaseUrl === undefined) return url;
  for (const origin of DROPBOX_ORIGINS) {
    if (url === origin) return apiBaseUrl;
    if (url.startsWith(origin)) {
      const next = url.charAt(origin.length);
      if (next === '/' || next === '?') return apiBaseUrl + url.slice(origin.length);
    }
  }
  return url;
}

type StreamingInit = RequestInit & { duplex?: 'half' };

function isStreamBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  return typeof (body as { pipe?: unknown }).pipe === 'function' || body instanceof ReadableStream;
}

/**
 * A `fetch` for the Dropbox SDK and our own requests: rewrites Dropbox origins to `apiBaseUrl`
 * (when set) and makes sure streaming bodies carry `duplex: 'half'`, which Node's fetch requires.
 * Everything else (headers, signal, body) is passed through untouched.
 */
export function createDropboxFetch(options: { apiBaseUrl?: string; fetch?: FetchLike } = {}): FetchLike {
  const base = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const { apiBaseUrl } = options;
  return (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const target = rewriteDropboxUrl(url, apiBaseUrl);
    let nextInit: StreamingInit | undefined = init;
    if (init !== undefined && isStreamBody(init.body) && (init as StreamingInit).duplex === undefined) {
      nextInit = { ...init, duplex: 'half' };
    }
    if (input instanceof Request) return base(new Request(target, input), nextInit);
    return base(target, nextInit);
  };
}
