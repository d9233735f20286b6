import { ALL_SCOPES, startEmulator, type EmulatorApp } from '../../../../emulator/src/index.ts';
import { createEmulatorControl, type EmulatorControl } from '../../../../emulator/src/control-client.ts';
import type { Destination } from '../../../ports/destination.port.ts';
import { createDropboxTokenCache, type DropboxTokenCache } from './dropbox-auth.ts';
import type { FetchLike } from './dropbox-fetch.ts';
import { createDropboxDestination, type DropboxDestinationConfig, type DropboxDestinationOptions } from './dropbox.destination.ts';

/**
 * Test support for the Dropbox destination's integration suites: the emulator in-process on
 * port 0 with a few apps, and destinations wired to it with small chunks and fast retries.
 */
export const MIB = 1024 * 1024;
export const ACCOUNT = { name: 'Ada Lovelace', email: 'ada@example.com', quotaBytes: 4 * 1024 * MIB };

export const APPS = {
  appFolder: app('dbackupappfolder', 'app_folder', 'DBackup Test'),
  fullDropbox: app('dbackupfull', 'full_dropbox'),
  /** Revoked by a test; nothing else may use it. */
  revocable: app('dbackuprevocable', 'full_dropbox'),
} satisfies Record<string, EmulatorApp>;

function app(key: string, accessType: EmulatorApp['accessType'], appFolderName?: string): EmulatorApp {
  return {
    key,
    secret: `${key}-secret`,
    name: key,
    redirectUris: ['http://localhost:3000/api/adapters/dropbox/callback'],
    accessType,
    scopes: ALL_SCOPES,
    ...(appFolderName ? { appFolderName } : {}),
  };
}

/** Small chunks, a small simple-upload threshold and a small page size exercise every path. */
export const FAST_OPTIONS: DropboxDestinationOptions = {
  chunkSize: 4 * MIB,
  simpleUploadMaxBytes: 1 * MIB,
  listPageSize: 7,
  retry: { maxAttempts: 5, baseDelayMs: 2, maxDelayMs: 20 },
};

export interface TestEmulator {
  url: string;
  control: EmulatorControl;
  close(): Promise<void>;
  /** A destination for `app`, authorized by freshly minted tokens (optionally fewer scopes). */
  destination(
    app: EmulatorApp,
    folderPath: string,
    options?: DropboxDestinationOptions & { scopes?: string[] },
  ): Promise<{ destination: Destination; config: DropboxDestinationConfig }>;
}

export async function startTestEmulator(extra: { accessTokenTtlSeconds?: number } = {}): Promise<TestEmulator> {
  const running = await startEmulator({ port: 0, config: { apps: Object.values(APPS), accounts: [ACCOUNT], ...extra } });
  const control = createEmulatorControl(running.url);
  return {
    url: running.url,
    control,
    close: () => running.close(),
    async destination(forApp, folderPath, options = {}) {
      const { scopes, ...rest } = options;
      const tokens = await control.mintTokens({ appKey: forApp.key, accountEmail: ACCOUNT.email, ...(scopes ? { scopes } : {}) });
      const config = { appKey: forApp.key, appSecret: forApp.secret, refreshToken: tokens.refreshToken, folderPath };
      const destination = createDropboxDestination(config, {
        ...FAST_OPTIONS,
        apiBaseUrl: running.url,
        tokenCache: createDropboxTokenCache(),
        ...rest,
      });
      return { destination, config };
    },
  };
}

/** A fetch that counts requests per path (`/oauth2/token`, `/2/files/upload`, ...). */
export function countingFetch(): { fetch: FetchLike; counts: Map<string, number>; total(): number } {
  const counts = new Map<string, number>();
  const fetch: FetchLike = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    return globalThis.fetch(input, init);
  };
  return { fetch, counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0) };
}

/** Records the retry loop's waits and log lines instead of sleeping. */
export function retryRecorder(): {
  sleep: NonNullable<DropboxDestinationOptions['sleep']>;
  logger: NonNullable<DropboxDestinationOptions['logger']>;
  waits: number[];
  logs: { message: string; fields?: Record<string, unknown> }[];
  clear(): void;
} {
  const waits: number[] = [];
  const logs: { message: string; fields?: Record<string, unknown> }[] = [];
  return {
    waits,
    logs,
    sleep: async (ms) => {
      waits.push(ms);
    },
    logger: { warn: (message, fields) => logs.push({ message, fields }) },
    clear() {
      waits.length = 0;
      logs.length = 0;
    },
  };
}

export type { DropboxTokenCache };
