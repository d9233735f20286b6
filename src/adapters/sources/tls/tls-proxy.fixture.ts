import type { Server, Socket } from 'node:net';

/** A TLS front started for a test, in front of a real server without TLS. */
export interface TlsProxy {
  port: number;
  /** Connections whose traffic went through TLS (handshake completed). */
  readonly tlsConnections: number;
  /** Connections that went on in plain text. */
  readonly plainConnections: number;
  close(): Promise<void>;
}

/** Listens on a free loopback port and hands out the proxy's port, counters and close. */
export async function listenTlsProxy(server: Server, sockets: Set<Socket>, counts: { tls: number; plain: number }): Promise<TlsProxy> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    get tlsConnections() {
      return counts.tls;
    },
    get plainConnections() {
      return counts.plain;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
