import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createScryptPasswordHasher } from '../../../src/adapters/secrets/password-hasher.ts';
import { createApp, type App } from '../../../src/app.ts';
import type { HttpApp } from '../../../src/interfaces/http/http-app.ts';
import { createNodeServer, listen } from '../../../src/interfaces/http/node-server.ts';
import type { MetadataStore } from '../../../src/ports/metadata-store.port.ts';
import { openTestStore } from './test-store.ts';

export interface TestApp {
  /** `http://127.0.0.1:<port>` — also the PUBLIC_URL. */
  url: string;
  redirectUri: string;
  store: MetadataStore;
  /** Attach the app once the Dropbox API URL is known (the emulator needs our redirect URI first). */
  start(options: { dropboxApiUrl: string | undefined; staticDir?: string }): App;
  http(): HttpApp;
  /** Moves the clock of the store and the app forward (expiry tests). */
  advanceClock(ms: number): void;
  close(): Promise<void>;
}

/**
 * DBackup in-process on 127.0.0.1:<free port> with a temp data dir. The socket is bound first so
 * the emulator can be configured with our real redirect URI before the app itself is created.
 */
export async function createTestApp(options: { trustedProxies?: number } = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'dbackup-app-'));
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const store = await openTestStore(dataDir, () => clock.now());
  let app: App | undefined;
  const server: Server = createNodeServer({
    get router() {
      if (!app) throw new Error('app not started');
      return app.http.router;
    },
    handle: (request, info) => {
      if (!app) return Promise.resolve(new Response('starting', { status: 503 }));
      return app.http.handle(request, info);
    },
  }, { trustedProxies: options.trustedProxies ?? 0 });
  const port = await listen(server, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    redirectUri: `${url}/api/adapters/dropbox/callback`,
    store,
    start({ dropboxApiUrl, staticDir }) {
      app = createApp({
        settings: { publicUrl: url, dropboxApiUrl },
        store,
        staticDir,
        clock,
        // Cheap KDF parameters: the tests are about the web app, not scrypt's cost.
        passwordHasher: createScryptPasswordHasher({ params: { logN: 10, r: 8, p: 1 } }),
      });
      return app;
    },
    http() {
      if (!app) throw new Error('app not started');
      return app.http;
    },
    advanceClock(ms) {
      offsetMs += ms;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
