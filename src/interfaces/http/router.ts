import { HttpError } from './http-errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route:
 * - `public`: anyone (health, setup, login).
 * - `user`: a signed-in user, by session cookie (+ CSRF header on state changes) or API token.
 * - `session`: a signed-in browser session only (API tokens are refused).
 * - `optional-session`: anyone; the principal is set when a valid session cookie came along (the
 *   OAuth callback, which must answer a signed-out browser with a readable page, not a 401).
 */
export type RouteAccess = 'public' | 'user' | 'session' | 'optional-session';

export interface Principal {
  userId: string;
  username: string;
  via: 'session' | 'token';
  /** Present for session principals: the id of the session row. */
  sessionId?: string;
}

export interface RequestContext {
  request: Request;
  url: URL;
  params: Record<string, string>;
  /** Remote address (for rate limits); `unknown` when not known. */
  ip: string;
  /** Set by the server for `user`/`session` routes before the handler runs. */
  principal: Principal | undefined;
}

export interface Route {
  method: HttpMethod;
  /** Path pattern with `:name` segments, e.g. `/api/destinations/:id`. */
  path: string;
  access: RouteAccess;
  handler: (context: RequestContext) => Promise<Response> | Response;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** A tiny exact-segment router; no wildcards, no regexes, so the OpenAPI test can list every path. */
export interface Router {
  readonly routes: readonly Route[];
  /** The matching route, `undefined` when no path matches; throws 405 when the path exists with other methods. */
  match(method: string, pathname: string): RouteMatch | undefined;
}

export function createRouter(routes: readonly Route[]): Router {
  const compiled = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  return {
    routes,
    match(method, pathname) {
      const parts = splitPath(pathname);
      let pathMatched = false;
      for (const { route, segments } of compiled) {
        const params = matchSegments(segments, parts);
        if (!params) continue;
        pathMatched = true;
        if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
      }
      if (pathMatched) throw new HttpError('method_not_allowed', `${method} is not supported on ${pathname}.`);
      return undefined;
    },
  };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    const actual = parts[i] as string;
    if (expected.startsWith(':')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual);
      } catch {
        return undefined;
      }
      params[expected.slice(1)] = decoded;
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

/** The caller of a `user`/`session` route (the server has authenticated it before the handler runs). */
export function requirePrincipal(context: RequestContext): Principal {
  if (!context.principal) throw new HttpError('unauthenticated', 'Sign in first.');
  return context.principal;
}
