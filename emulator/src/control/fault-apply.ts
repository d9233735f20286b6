import type { ServerResponse } from 'node:http';
import type { Exchange } from '../http/exchange.ts';
import { authFailure, rateLimited } from '../http/failure.ts';
import { sendFailure, sendText } from '../http/respond.ts';
import type { Fault } from './faults.ts';

function killSocket(ex: Exchange): void {
  ex.req.socket.destroy();
}

/** Destroys the connection once `afterBytes` bytes of the request body have arrived; the route never runs. */
function resetRequest(ex: Exchange, afterBytes: number): Promise<void> {
  if (afterBytes === 0) {
    killSocket(ex);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      killSocket(ex);
      resolve();
    };
    ex.req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen >= afterBytes) done();
    });
    ex.req.on('end', done);
    ex.req.on('close', () => resolve());
  });
}

type WriteArgs = [chunk?: unknown, encodingOrCallback?: unknown, callback?: unknown];

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return Buffer.alloc(0);
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  const view = chunk as Uint8Array;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Lets the route run, but destroys the connection after `afterBytes` bytes of the response body.
 * One chunk is always held back so the response is cut even when it is shorter than `afterBytes`.
 */
function cutResponse(res: ServerResponse, afterBytes: number): void {
  const originalWrite = res.write.bind(res) as (chunk: Buffer, cb?: () => void) => boolean;
  let sent = 0;
  let held: Buffer | undefined;
  let cut = false;
  const destroy = (): void => {
    res.socket?.destroy();
  };
  const emit = (buffer: Buffer, final: boolean): void => {
    if (cut) return;
    const allowed = afterBytes - sent;
    const mustCut = final || buffer.length >= allowed;
    const part = mustCut ? buffer.subarray(0, Math.max(0, Math.min(allowed, buffer.length - (final ? 1 : 0)))) : buffer;
    sent += part.length;
    if (!mustCut) {
      originalWrite(part);
      return;
    }
    cut = true;
    if (!res.headersSent) res.flushHeaders();
    if (part.length > 0) originalWrite(part, destroy);
    else if (res.socket) res.socket.write(Buffer.alloc(0), destroy);
    else destroy();
  };
  res.write = ((...args: WriteArgs) => {
    const buffer = toBuffer(args[0], args[1]);
    if (held) emit(held, false);
    held = buffer;
    const callback = [args[1], args[2]].find((a) => typeof a === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as ServerResponse['write'];
  res.end = ((...args: WriteArgs) => {
    const buffer = toBuffer(args[0], args[1]);
    const last = held;
    held = undefined;
    if (last && buffer.length === 0) emit(last, true);
    else {
      if (last) emit(last, false);
      emit(buffer, true);
    }
    return res;
  }) as ServerResponse['end'];
}

/** Lets the route run to completion, then drops the connection without sending anything. */
function swallowResponse(res: ServerResponse): void {
  res.writeHead = (() => res) as unknown as ServerResponse['writeHead'];
  res.flushHeaders = () => undefined;
  res.write = ((...args: WriteArgs) => {
    const callback = [args[1], args[2]].find((a) => typeof a === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as ServerResponse['write'];
  res.end = (() => {
    res.socket?.destroy();
    return res;
  }) as ServerResponse['end'];
}

/** Applies an injected fault to one request; `run` performs the real route. */
export async function applyFault(ex: Exchange, route: string, fault: Fault, run: () => Promise<void>): Promise<void> {
  switch (fault.kind) {
    case 'rate_limit':
      return sendFailure(ex, route, rateLimited(fault.reason, fault.retryAfter));
    case 'server_error':
      return sendText(ex, fault.status, `Emulated server error ${fault.status} (injected fault ${fault.id})`);
    case 'expired_access_token':
      return sendFailure(ex, route, authFailure({ '.tag': 'expired_access_token' }));
    case 'reset_request':
      return resetRequest(ex, fault.afterBytes);
    case 'reset_response':
      cutResponse(ex.res, fault.afterBytes);
      return run();
    case 'lost_response':
      swallowResponse(ex.res);
      return run();
  }
}
