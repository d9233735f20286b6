/**
 * The composition root: wires the metadata store, the destination adapters and the HTTP
 * interface together. No logic lives here beyond choosing implementations.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDropboxDestination } from './adapters/destinations/dropbox/dropbox.destination.ts';
import type { FetchLike } from './adapters/destinations/dropbox/dropbox-fetch.ts';
import { createLocalDestination } from './adapters/destinations/local/local.destination.ts';
import { SCHEDULE_PRESETS } from './adapters/schedule/croner.schedule.ts';
import { createScryptPasswordHasher } from './adapters/secrets/password-hasher.ts';
import type { Settings } from './core/config/settings.ts';
import { DBackupError } from './core/errors.ts';
import { createEngine, type Engine } from './engine.ts';
import { systemClock, type Clock } from './ports/clock.port.ts';
import type { Destination } from './ports/destination.port.ts';
import type { DestinationRecord, MetadataStore } from './ports/metadata-store.port.ts';
import type { PasswordHasher } from './ports/password-hasher.port.ts';
import { createDropboxAuthorizationGateway } from './adapters/destinations/dropbox/oauth/dropbox-authorization.gateway.ts';
import { createDropboxOAuthService } from './interfaces/http/dropbox/dropbox-oauth.service.ts';
import { checkDropboxStatus } from './interfaces/http/dropbox/dropbox-status.ts';
import type { HttpApp } from './interfaces/http/http-app.ts';
import { createNodeServer, listen } from './interfaces/http/node-server.ts';
import { createAccountsService } from './interfaces/http/services/accounts.service.ts';
import { createBackupServices } from './interfaces/http/services/backup-services.ts';
import { createDestinationsService } from './interfaces/http/services/destinations.service.ts';
import { createWebApp } from './interfaces/http/web-app.ts';

export const VERSION = '0.1.0';

export interface AppOptions {
  /** `dataDir` holds scratch files (restores); absent → a private folder in the OS temp dir. */
  settings: Pick<Settings, 'publicUrl' | 'dropboxApiUrl'> & Partial<Pick<Settings, 'dataDir' | 'trustProxy' | 'historyDays'>>;
  /** Opened and migrated by the caller (main.ts or a test). */
  store: MetadataStore;
  /** Built web UI (`dist/web`); omitted → API only. */
  staticDir?: string;
  clock?: Clock;
  /** Tests use cheap KDF parameters; production the defaults. */
  passwordHasher?: PasswordHasher;
  /** Fetch under every Dropbox call (tests); default the global fetch. */
  dropboxFetch?: FetchLike;
}

export interface App {
  http: HttpApp;
  server: Server;
  /** Runner, scheduler, restore. The caller runs `engine.start()` before serving and `engine.stop()` at shutdown. */
  engine: Engine;
  /** Resolves with the bound port (0 = any free port). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting connections and ends keep-alive ones; does not close the store. */
  close(): Promise<void>;
}

export function createApp(options: AppOptions): App {
  const { settings, store } = options;
  const clock = options.clock ?? systemClock;
  const dropboxGateway = createDropboxAuthorizationGateway({ apiBaseUrl: settings.dropboxApiUrl, fetch: options.dropboxFetch });
  const credentialsOf = (record: DestinationRecord) => ({
    appKey: record.secrets.appKey?.reveal() ?? '',
    appSecret: record.secrets.appSecret?.reveal() ?? '',
  });

  const openDestination = (record: DestinationRecord): Destination => {
    if (record.type === 'local') return createLocalDestination({ basePath: String(record.config.basePath ?? '') });
    if (record.type === 'dropbox') {
      return createDropboxDestination(
        {
          ...credentialsOf(record),
          refreshToken: record.secrets.refreshToken?.reveal() ?? '',
          folderPath: String(record.config.folderPath ?? ''),
        },
        { apiBaseUrl: settings.dropboxApiUrl, fetch: options.dropboxFetch },
      );
    }
    throw new DBackupError('invalid_input', `Unknown destination type ${String(record.type)}.`);
  };

  const engine = createEngine({
    store,
    clock,
    // Without a data dir (tests), scratch files go to a private folder made only when needed.
    dataDir: settings.dataDir ?? join(tmpdir(), `dbackup-${randomUUID()}`),
    appVersion: VERSION,
    dropboxApiUrl: settings.dropboxApiUrl,
    dropboxFetch: options.dropboxFetch,
    publicUrl: settings.publicUrl,
    historyDays: settings.historyDays,
  });

  const dropbox = createDropboxOAuthService({ gateway: dropboxGateway, store, publicUrl: settings.publicUrl });
  const http = createWebApp({
    publicUrl: settings.publicUrl,
    version: VERSION,
    staticDir: options.staticDir,
    clock,
    accounts: createAccountsService({ store, hasher: options.passwordHasher ?? createScryptPasswordHasher(), clock }),
    destinations: createDestinationsService({
      store,
      openDestination,
      dropboxStatus: (record) => checkDropboxStatus(record, { gateway: dropboxGateway, redirectUri: dropbox.redirectUri }),
      revokeDropboxToken: async (record) => {
        const token = record.secrets.refreshToken?.reveal();
        if (token) await dropboxGateway.revoke(credentialsOf(record), token);
      },
    }),
    dropbox,
    backups: createBackupServices({ store, engine, clock, schedulePresets: SCHEDULE_PRESETS }),
  });
  const server = createNodeServer(http, { trustedProxies: options.settings.trustProxy });

  return {
    http,
    server,
    engine,
    listen: (port, host) => listen(server, port, host),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
