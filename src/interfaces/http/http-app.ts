import { DBackupError } from '../../core/errors.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import { assertCsrf, isStateChanging } from './csrf.ts';
import { errorResponse, HttpError } from './http-errors.ts';
import { createRouter, type Principal, type RequestContext, type Route, type Router } from './router.ts';
import { createStaticFiles } from './static-files.ts';

/** Looks up who is calling; both return `undefined` for unknown, expired or revoked credentials. */
export interface PrincipalResolver {
  bySessionToken(token: string): Promise<Principal | undefined>;
  byApiToken(token: string): Promise<Principal | undefined>;
}

export interface HttpAppOptions {
  routes: readonly Route[];
  principals: PrincipalResolver;
  /** Directory of the built web UI (`dist/web`); omitted → only the API is served. */
  staticDir?: string;
  /** Receives unexpected failures (never request bodies, so secrets stay out of logs). */
  logError?: (error: unknown) => void;
}

export interface HttpApp {
  readonly router: Router;
  /** Handles one request without sockets (tests call this directly). */
  handle(request: Request, info?: { ip?: string }): Promise<Response>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
};

/** The web application: API routes under `/api`, the UI for everything else. */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const router = createRouter(options.routes);
  const staticFiles = options.staticDir ? createStaticFiles(options.staticDir) : undefined;
  const logError = options.logError ?? ((error: unknown) => console.error(error));

  async function dispatch(request: Request, ip: string): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) {
      if (!staticFiles || (request.method !== 'GET' && request.method !== 'HEAD')) {
        throw new DBackupError('not_found', `Nothing is served at ${url.pathname}.`);
      }
      return staticFiles(url.pathname, request.method);
    }
    const match = router.match(request.method, url.pathname);
    if (!match) throw new DBackupError('not_found', `There is no API route ${request.method} ${url.pathname}.`);
    const context: RequestContext = { request, url, params: match.params, ip, principal: undefined };
    const access = match.route.access;
    if (access === 'user' || access === 'session') {
      context.principal = await authenticate(request, access === 'user');
    } else if (access === 'optional-session') {
      const sessionToken = readCookie(request, SESSION_COOKIE);
      context.principal = sessionToken ? await options.principals.bySessionToken(sessionToken) : undefined;
    }
    return match.route.handler(context);
  }

  async function authenticate(request: Request, allowApiToken: boolean): Promise<Principal> {
    const authorization = request.headers.get('authorization');
    if (authorization && /^bearer\s+/i.test(authorization)) {
      if (!allowApiToken) throw new HttpError('unauthenticated', 'This page needs a signed-in browser session, not an API token.');
      const principal = await options.principals.byApiToken(authorization.replace(/^bearer\s+/i, '').trim());
      if (!principal) throw new HttpError('unauthenticated', 'The API token is unknown or was revoked. Create a new one under Settings → API tokens.');
      return principal;
    }
    const sessionToken = readCookie(request, SESSION_COOKIE);
    const principal = sessionToken ? await options.principals.bySessionToken(sessionToken) : undefined;
    if (!sessionToken || !principal) throw new HttpError('unauthenticated', 'Sign in first: your session is missing or has expired.');
    if (isStateChanging(request.method)) assertCsrf(request, sessionToken);
    return principal;
  }

  return {
    router,
    async handle(request, info = {}) {
      let response: Response;
      try {
        response = await dispatch(request, info.ip ?? 'unknown');
      } catch (error) {
        response = errorResponse(error, logError);
      }
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        if (!response.headers.has(name)) response.headers.set(name, value);
      }
      return response;
    },
  };
}
