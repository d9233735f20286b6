import { DBackupError } from '../../../core/errors.ts';
import { readCookie, SESSION_COOKIE, sessionCookie } from '../cookies.ts';
import { csrfTokenFor } from '../csrf.ts';
import { HttpError } from '../http-errors.ts';
import { json, noContent, optionalString, readJsonObject } from '../json.ts';
import type { LoginRateLimiter } from '../login-rate-limiter.ts';
import { requirePrincipal, type RequestContext, type Route } from '../router.ts';
import type { AccountsService, SignedIn } from '../services/services.ts';

export interface AccountRoutesOptions {
  accounts: AccountsService;
  limiter: LoginRateLimiter;
  /** Adds `Secure` to the cookie (PUBLIC_URL is https). */
  secureCookies: boolean;
  /** Lifetime the store gives a session (sliding); the cookie lives as long. */
  sessionTtlSeconds: number;
  now: () => Date;
}

/** First-run setup, sign-in and sign-out. */
export function accountRoutes(options: AccountRoutesOptions): Route[] {
  const { accounts, limiter } = options;

  const signedInResponse = (signedIn: SignedIn, status: number) =>
    json({ user: signedIn.user, csrfToken: csrfTokenFor(signedIn.sessionToken) }, status, {
      'set-cookie': sessionCookie(signedIn.sessionToken, {
        maxAgeSeconds: (signedIn.expiresAt.getTime() - options.now().getTime()) / 1000,
        secure: options.secureCookies,
      }),
    });

  const credentials = async (context: RequestContext) => {
    const body = await readJsonObject(context.request);
    return { username: optionalString(body, 'username') ?? '', password: optionalString(body, 'password') ?? '' };
  };

  return [
    {
      method: 'GET',
      path: '/api/setup',
      access: 'public',
      handler: async () => json({ needed: await accounts.isSetupNeeded() }),
    },
    {
      method: 'POST',
      path: '/api/setup',
      access: 'public',
      handler: async (context) => {
        const { username, password } = await credentials(context);
        return signedInResponse(await accounts.setup(username, password), 201);
      },
    },
    {
      method: 'GET',
      path: '/api/session',
      access: 'user',
      handler: (context) => {
        const principal = requirePrincipal(context);
        const token = principal.via === 'session' ? readCookie(context.request, SESSION_COOKIE) : undefined;
        const body = { user: { id: principal.userId, username: principal.username }, csrfToken: token ? csrfTokenFor(token) : undefined, via: principal.via };
        // Sessions slide: each page load re-issues the cookie with the full lifetime again.
        const headers: Record<string, string> = token ? { 'set-cookie': sessionCookie(token, { maxAgeSeconds: options.sessionTtlSeconds, secure: options.secureCookies }) } : {};
        return json(body, 200, headers);
      },
    },
    {
      method: 'POST',
      path: '/api/session',
      access: 'public',
      handler: async (context) => {
        const { username, password } = await credentials(context);
        if (username === '' || password === '') {
          throw new DBackupError('invalid_input', 'Enter your username and password.');
        }
        limiter.check(context.ip, username);
        const signedIn = await accounts.login(username, password);
        if (!signedIn) {
          limiter.recordFailure(context.ip, username);
          throw new HttpError('unauthenticated', 'Wrong username or password.');
        }
        limiter.recordSuccess(context.ip, username);
        return signedInResponse(signedIn, 200);
      },
    },
    {
      method: 'DELETE',
      path: '/api/session',
      access: 'session',
      handler: async (context) => {
        const token = readCookie(context.request, SESSION_COOKIE);
        if (token) await accounts.logout(token);
        return noContent({ 'set-cookie': sessionCookie('', { maxAgeSeconds: 0, secure: options.secureCookies }) });
      },
    },
  ];
}
