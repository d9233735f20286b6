import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveConfig } from './config.ts';
import type { EmulatorConfig, RunningEmulator } from './index.ts';
import { createRequestListener } from './server.ts';
import { createState } from './state.ts';

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the emulator on `host` (default 127.0.0.1) and `port` (default 0 = any free port).
 * Rejects when the config is invalid or the port cannot be bound.
 */
export async function startEmulator(options: { port?: number; host?: string; config: EmulatorConfig }): Promise<RunningEmulator> {
  const config = resolveConfig(options.config);
  const state = await createState(config);
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5000 }, createRequestListener(state));
  const host = options.host ?? '127.0.0.1';
  try {
    await listen(server, options.port ?? 0, host);
  } catch (error) {
    await state.dispose();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${formatHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${port}`,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        state.sessions.clear();
        await state.dispose();
      })();
      return closing;
    },
  };
}
