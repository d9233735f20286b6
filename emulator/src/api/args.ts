import type { Exchange } from '../http/exchange.ts';
import { hasBody, readBody } from '../http/body.ts';
import { DecodeError, parseJson } from '../http/decode.ts';
import { badRequest } from '../http/failure.ts';
import type { RouteDef } from './route.ts';

const CORS_HACK = 'text/plain; charset=dropbox-cors-hack';
const MAX_RPC_BODY = 8 * 1024 * 1024;

function contentType(ex: Exchange): string {
  return (ex.req.headers['content-type'] ?? '').trim();
}

function isType(value: string, expected: string): boolean {
  return value.split(';')[0]!.trim().toLowerCase() === expected;
}

function decodeWith(route: RouteDef, value: unknown, source: string): unknown {
  if (route.arg === 'void') {
    if (value !== null) throw badRequest(`${source}: expected null, got ${typeof value === 'object' ? 'object' : typeof value}`);
    return undefined;
  }
  try {
    return route.arg(value, '');
  } catch (error) {
    if (error instanceof DecodeError) throw badRequest(`${source}: ${error.message}`);
    throw error;
  }
}

async function rpcArg(ex: Exchange, route: RouteDef): Promise<unknown> {
  const type = contentType(ex);
  const body = await readBody(ex.req, MAX_RPC_BODY);
  if (body === undefined) throw badRequest('request body: too large');
  if (type === '' && body.length === 0 && route.arg === 'void') return undefined;
  if (!isType(type, 'application/json') && type.toLowerCase() !== CORS_HACK) {
    throw badRequest(`Bad HTTP "Content-Type" header: "${type}".  Expecting one of "application/json", "${CORS_HACK}".`);
  }
  try {
    return decodeWith(route, parseJson(body.toString('utf8'), 'request body'), 'request body');
  } catch (error) {
    if (error instanceof DecodeError) throw badRequest(error.message);
    throw error;
  }
}

function headerArg(ex: Exchange, route: RouteDef): unknown {
  const header = ex.req.headers['dropbox-api-arg'];
  const raw = typeof header === 'string' ? header : ex.url.searchParams.get('arg');
  if (raw === null || raw === undefined) {
    if (route.arg === 'void') return undefined;
    throw badRequest('Missing HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
  }
  // Node hands us header bytes as Latin-1; clients should send ASCII (\uXXXX escapes), but raw UTF-8 is tolerated.
  const text = typeof header === 'string' ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
  const source = typeof header === 'string' ? 'HTTP header "Dropbox-API-Arg"' : 'URL parameter "arg"';
  try {
    return decodeWith(route, parseJson(text, source), source);
  } catch (error) {
    if (error instanceof DecodeError) throw badRequest(error.message);
    throw error;
  }
}

/**
 * Reads and decodes a route's argument. Upload routes leave the body unread (the handler streams
 * it); download routes require an empty body and no Content-Type. Problems are 400 text errors.
 */
export async function readArgument(ex: Exchange, route: RouteDef): Promise<unknown> {
  if (route.style === 'rpc') return rpcArg(ex, route);
  const type = contentType(ex);
  if (route.style === 'upload') {
    if (!isType(type, 'application/octet-stream') && type.toLowerCase() !== CORS_HACK) {
      throw badRequest(`Bad HTTP "Content-Type" header: "${type}".  Expecting one of "application/octet-stream", "${CORS_HACK}".`);
    }
    return headerArg(ex, route);
  }
  if (type !== '') {
    throw badRequest(`You provided a non-empty HTTP "Content-Type" header ("${type}").  This API function requires that the header be missing or empty.`);
  }
  if (hasBody(ex.req)) {
    const body = await readBody(ex.req, 1024);
    if (body === undefined || body.length > 0) throw badRequest('request body is supposed to be empty');
  }
  return headerArg(ex, route);
}
