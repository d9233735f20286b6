import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { clientAddress } from './client-address.ts';
import type { HttpApp } from './http-app.ts';

export interface NodeServerOptions {
  /** Reverse proxies in front of DBackup whose X-Forwarded-For is believed (TRUST_PROXY); default 0. */
  trustedProxies?: number;
}

/** Runs an `HttpApp` on node:http; bodies stream in both directions. */
export function createNodeServer(app: HttpApp, options: NodeServerOptions = {}): Server {
  const trustedProxies = options.trustedProxies ?? 0;
  return createServer((req, res) => {
    serve(app, req, res, trustedProxies).catch((error: unknown) => {
      // The browser went away mid-response (closed popup, navigation): nothing to report.
      const code = (error as { code?: unknown } | undefined)?.code;
      if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET') return;
      console.error('HTTP response failed:', error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

/** Listens on `port` (0 = any free port) and resolves with the bound port. */
export async function listen(server: Server, port: number, host?: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function serve(app: HttpApp, req: IncomingMessage, res: ServerResponse, trustedProxies: number): Promise<void> {
  const host = req.headers.host ?? 'localhost';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const request = new Request(url, {
    method: req.method ?? 'GET',
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    duplex: 'half',
  } as RequestInit);
  const response = await app.handle(request, { ip: clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies) });
  const outHeaders: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') outHeaders[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outHeaders['set-cookie'] = cookies;
  res.writeHead(response.status, outHeaders);
  if (!response.body || req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res);
}
