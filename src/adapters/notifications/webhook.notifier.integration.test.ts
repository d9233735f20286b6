/** The webhook notifier against a real local HTTP server on a free port. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.ts';
import { DBackupError } from '../../core/errors.ts';
import { Secret } from '../../core/secret.ts';
import { createWebhookNotifier } from './webhook.notifier.ts';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server | undefined;

/** Answers the n-th request with `statuses[n]` (the last one repeats); `hang` never answers. */
async function serve(statuses: Array<number | 'hang'>): Promise<{ base: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      if (status === 'hang') return;
      response.writeHead(status, { 'content-type': 'text/plain' }).end('answer');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const failure = async (promise: Promise<unknown>): Promise<DBackupError> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DBackupError);
  return error as DBackupError;
};

describe('webhook notifier', () => {
  it('POSTs the payload as JSON with a User-Agent naming DBackup and its version', async () => {
    const { base, received } = await serve([204]);
    const notifier = createWebhookNotifier({ userAgent: 'DBackup/9.8.7' });
    await notifier.deliver(new Secret(`${base}/hooks/T0/secret?x=1`), { event: 'run.failed', text: 'Backup failed' });
    expect(received).toHaveLength(1);
    expect(received[0]!.method).toBe('POST');
    expect(received[0]!.url).toBe('/hooks/T0/secret?x=1');
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.headers['user-agent']).toBe('DBackup/9.8.7');
    expect(JSON.parse(received[0]!.body)).toEqual({ event: 'run.failed', text: 'Backup failed' });
  });

  it('tries again after HTTP 500 and succeeds', async () => {
    const { base, received } = await serve([500, 502, 200]);
    const notifier = createWebhookNotifier({ userAgent: 'DBackup/test', backoffMs: 10 });
    await notifier.deliver(new Secret(`${base}/h`), { n: 1 });
    expect(received.map((r) => r.body)).toEqual(['{"n":1}', '{"n":1}', '{"n":1}']);
  });

  it('gives up after the last attempt and names the HTTP status, not the URL path', async () => {
    const { base, received } = await serve([503]);
    const notifier = createWebhookNotifier({ userAgent: 'DBackup/test', backoffMs: 5, attempts: 2 });
    const error = await failure(notifier.deliver(new Secret(`${base}/token-abc`), {}));
    expect(received).toHaveLength(2);
    expect(error.code).toBe('transient');
    expect(error.message).toContain('HTTP 503');
    expect(error.message).toContain('(Tried 2 times.)');
    expect(error.message).toContain(base);
    expect(error.message).not.toContain('token-abc');
  });

  it('does not retry a 4xx answer: the URL or token is wrong', async () => {
    const { base, received } = await serve([404]);
    const notifier = createWebhookNotifier({ userAgent: 'DBackup/test', backoffMs: 5 });
    const error = await failure(notifier.deliver(new Secret(`${base}/h`), {}));
    expect(received).toHaveLength(1);
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain('HTTP 404');
    expect(error.message).toContain('Check the webhook URL');
  });

  it('stops waiting after the timeout and says so', async () => {
    const { base, received } = await serve(['hang']);
    const notifier = createWebhookNotifier({ userAgent: 'DBackup/test', timeoutMs: 200, attempts: 1 });
    const started = Date.now();
    const error = await failure(notifier.deliver(new Secret(`${base}/h`), {}));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(received).toHaveLength(1);
    expect(error.code).toBe('transient');
    expect(error.message).toContain('timeout');
  });

  it('reports an unreachable host (connection refused)', async () => {
    const port = await freePort();
    const notifier = createWebhookNotifier({ userAgent: 'DBackup/test', attempts: 1 });
    const error = await failure(notifier.deliver(new Secret(`http://127.0.0.1:${port}/h`), {}));
    expect(error.code).toBe('transient');
    expect(error.message).toContain('Could not reach');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('refuses a URL that is not http(s) before sending anything', async () => {
    const notifier = createWebhookNotifier({ userAgent: 'DBackup/test' });
    expect((await failure(notifier.deliver(new Secret('ftp://example.com/x'), {}))).code).toBe('invalid_input');
    expect((await failure(notifier.deliver(new Secret('not a url'), {}))).code).toBe('invalid_input');
  });
});
