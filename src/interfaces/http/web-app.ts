import { systemClock, type Clock } from '../../ports/clock.port.ts';
import { createHttpApp, type HttpApp } from './http-app.ts';
import { createLoginRateLimiter } from './login-rate-limiter.ts';
import { accountRoutes } from './routes/account.routes.ts';
import { destinationRoutes } from './routes/destinations.routes.ts';
import { dropboxRoutes } from './routes/dropbox.routes.ts';
import { engineRoutes } from './routes/engine.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { openApiRoutes } from './routes/openapi.routes.ts';
import { tokenRoutes } from './routes/tokens.routes.ts';
import { SESSION_TTL_MS } from './services/accounts.service.ts';
import type { AccountsService, BackupServices, DestinationsService, DropboxAuthorizationService } from './services/services.ts';

export interface WebAppOptions {
  accounts: AccountsService;
  destinations: DestinationsService;
  dropbox: DropboxAuthorizationService;
  /** Sources, jobs, runs, profiles, storage explorer, dashboard; omitted → those routes are absent. */
  backups?: BackupServices;
  /** `PUBLIC_URL` without trailing slash; https turns on Secure cookies. */
  publicUrl: string;
  version: string;
  /** Built UI; omitted → API only. */
  staticDir?: string;
  clock?: Clock;
  /** Sliding session lifetime; must match the accounts service (default 7 days). */
  sessionTtlMs?: number;
  logError?: (error: unknown) => void;
}

/** Every API route plus the UI, ready for `createNodeServer` or for socket-free tests. */
export function createWebApp(options: WebAppOptions): HttpApp {
  const clock = options.clock ?? systemClock;
  const routes = [
    ...healthRoutes(options.version),
    ...openApiRoutes(options.version),
    ...accountRoutes({
      accounts: options.accounts,
      limiter: createLoginRateLimiter({ clock }),
      secureCookies: options.publicUrl.startsWith('https:'),
      sessionTtlSeconds: (options.sessionTtlMs ?? SESSION_TTL_MS) / 1000,
      now: () => clock.now(),
    }),
    ...tokenRoutes(options.accounts),
    ...destinationRoutes(options.destinations),
    ...dropboxRoutes(options.dropbox, options.publicUrl),
    ...(options.backups ? engineRoutes(options.backups) : []),
  ];
  return createHttpApp({
    routes,
    staticDir: options.staticDir,
    logError: options.logError,
    principals: {
      bySessionToken: (token) => options.accounts.principalBySession(token),
      byApiToken: (token) => options.accounts.principalByApiToken(token),
    },
  });
}
