import { connect, createServer, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';
import { listenTlsProxy, type TlsProxy } from '../tls/tls-proxy.fixture.ts';

/**
 * A TLS front for a plain PostgreSQL server, for tests: it answers the client's SSLRequest with
 * 'S', completes the TLS handshake with the given certificate, and pipes the decrypted stream to
 * the real server in plain text. Without `tls` it answers 'N', like a server with `ssl = off`.
 */
export interface PostgresTlsProxyOptions {
  /** The real server, e.g. 127.0.0.1:5432. */
  target: { host: string; port: number };
  tls?: { cert: string; key: string };
}

export type PostgresTlsProxy = TlsProxy;

const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;

export async function startPostgresTlsProxy(options: PostgresTlsProxyOptions): Promise<PostgresTlsProxy> {
  const context = options.tls ? createSecureContext(options.tls) : undefined;
  const sockets = new Set<Socket>();
  const counts = { tls: 0, plain: 0 };

  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let buffered = Buffer.alloc(0);

    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 8) return;
      const length = buffered.readUInt32BE(0);
      const code = buffered.readUInt32BE(4);
      const isRequest = length === 8 && (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE);
      if (isRequest && code === SSL_REQUEST_CODE && context) {
        // The client waits for the answer before its ClientHello: no byte is lost by handing over now.
        client.off('data', onData);
        client.pause();
        client.write('S');
        const secure = new TLSSocket(client, { isServer: true, secureContext: context });
        secure.on('error', () => client.destroy());
        secure.once('secure', () => counts.tls++);
        forward(secure, Buffer.alloc(0));
        return;
      }
      if (isRequest) {
        // Refused; the client goes on with its startup message in plain text on this connection.
        buffered = buffered.subarray(8);
        client.write('N');
        if (buffered.length > 0) onData(Buffer.alloc(0));
        return;
      }
      client.off('data', onData);
      counts.plain++;
      forward(client, buffered);
    };
    client.on('data', onData);
  });

  function forward(client: Socket, pending: Buffer): void {
    const upstream = connect(options.target.port, options.target.host);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    if (pending.length > 0) upstream.write(pending);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  return listenTlsProxy(server, sockets, counts);
}
