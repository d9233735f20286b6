import { connect, createServer, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';
import { listenTlsProxy, type TlsProxy } from '../tls/tls-proxy.fixture.ts';

/**
 * A TLS front for a MySQL/MariaDB server without TLS, for tests. It offers TLS in the server's
 * greeting (CLIENT_SSL), takes the client's SSLRequest, completes the TLS handshake with the given
 * certificate, and then forwards the client's handshake response to the real server with the SSL
 * flag cleared and its sequence number lowered by one; every packet of the authentication exchange
 * is renumbered the same way (the server never saw the SSLRequest). Once the server answers OK or
 * ERR, both directions are piped as they are (each command restarts the sequence at 0).
 *
 * Enough for password logins (mysql_native_password, auth switch); not a general-purpose proxy.
 */
export interface MysqlTlsProxyOptions {
  /** The real server, e.g. 127.0.0.1:3306. */
  target: { host: string; port: number };
  tls: { cert: string; key: string };
}

export type MysqlTlsProxy = TlsProxy;

const CLIENT_SSL = 0x800;
const HEADER = 4;
/** An SSLRequest is a handshake response cut after the character set and 23 reserved bytes. */
const SSL_REQUEST_LENGTH = 32;

export async function startMysqlTlsProxy(options: MysqlTlsProxyOptions): Promise<MysqlTlsProxy> {
  const context = createSecureContext(options.tls);
  const sockets = new Set<Socket>();
  const counts = { tls: 0, plain: 0 };
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  const server = createServer((client) => {
    const upstream = connect(options.target.port, options.target.host);
    track(client);
    track(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth);
      socket.on('close', closeBoth);
    }

    type Phase = 'greeting' | 'ssl-request' | 'login' | 'auth' | 'pipe';
    let phase: Phase = 'greeting';
    let clientSide: Socket = client;
    const fromServer = new PacketReader();
    const fromClient = new PacketReader();

    const startPiping = (): void => {
      phase = 'pipe';
      upstream.off('data', onServerData);
      clientSide.off('data', onClientData);
      const serverRest = fromServer.rest();
      const clientRest = fromClient.rest();
      if (serverRest.length > 0) clientSide.write(serverRest);
      if (clientRest.length > 0) upstream.write(clientRest);
      upstream.pipe(clientSide);
      clientSide.pipe(upstream);
    };

    function onServerData(chunk: Buffer): void {
      fromServer.push(chunk);
      for (let packet = fromServer.next(); packet; packet = phase === 'pipe' ? undefined : fromServer.next()) {
        if (phase === 'greeting') {
          offerTls(packet);
          phase = 'ssl-request';
        } else if (phase === 'auth') {
          packet[3] = (packet[3]! + 1) & 0xff;
          const status = packet[HEADER];
          if (status === 0x00 || status === 0xff) {
            clientSide.write(packet);
            startPiping();
            return;
          }
        }
        clientSide.write(packet);
      }
    }

    function onClientData(chunk: Buffer): void {
      fromClient.push(chunk);
      for (let packet = fromClient.next(); packet; packet = phase === 'pipe' ? undefined : fromClient.next()) {
        if (phase === 'ssl-request') {
          const payload = packet.subarray(HEADER);
          if (payload.length !== SSL_REQUEST_LENGTH || (payload.readUInt32LE(0) & CLIENT_SSL) === 0) {
            counts.plain++;
            upstream.write(packet);
            startPiping();
            return;
          }
          upgradeClient();
          return;
        }
        if (phase === 'login') {
          packet.writeUInt32LE(packet.readUInt32LE(HEADER) & ~CLIENT_SSL, HEADER);
          phase = 'auth';
        }
        packet[3] = (packet[3]! - 1) & 0xff;
        upstream.write(packet);
      }
    }

    function upgradeClient(): void {
      // The client starts its TLS handshake right after the SSLRequest, so the bytes read past it
      // are its ClientHello: put them back for the TLS socket, which takes over buffered data.
      client.off('data', onClientData);
      client.pause();
      const rest = fromClient.rest();
      if (rest.length > 0) client.unshift(rest);
      const secure = new TLSSocket(client, { isServer: true, secureContext: context });
      secure.on('error', closeBoth);
      secure.once('secure', () => counts.tls++);
      clientSide = secure;
      phase = 'login';
      secure.on('data', onClientData);
    }

    upstream.on('data', onServerData);
    client.on('data', onClientData);
  });

  return listenTlsProxy(server, sockets, counts);
}

/** Sets CLIENT_SSL in a HandshakeV10 greeting: after the version string, id, scramble and filler. */
function offerTls(packet: Buffer): void {
  const versionEnd = packet.indexOf(0, HEADER + 1);
  const capabilities = versionEnd + 1 + 4 + 8 + 1;
  packet.writeUInt16LE(packet.readUInt16LE(capabilities) | CLIENT_SSL, capabilities);
}

/** Cuts a byte stream into MySQL packets: 3-byte little-endian payload length, sequence id, payload. */
class PacketReader {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
  }

  /** The next whole packet (header included, a copy), or `undefined` while it is incomplete. */
  next(): Buffer | undefined {
    if (this.#buffer.length < HEADER) return undefined;
    const size = HEADER + this.#buffer.readUIntLE(0, 3);
    if (this.#buffer.length < size) return undefined;
    const packet = Buffer.from(this.#buffer.subarray(0, size));
    this.#buffer = this.#buffer.subarray(size);
    return packet;
  }

  /** Whatever has not been taken as a packet; empties the reader. */
  rest(): Buffer {
    const rest = this.#buffer;
    this.#buffer = Buffer.alloc(0);
    return rest;
  }
}
