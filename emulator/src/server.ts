import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dispatchApi } from './api/dispatch.ts';
import { API_ROUTES } from './api/routes.ts';
import { applyFault } from './control/fault-apply.ts';
import { handleControl } from './control/control.routes.ts';
import type { Exchange } from './http/exchange.ts';
import { send, sendHtml, sendText } from './http/respond.ts';
import { newRequestId } from './ids.ts';
import { handleAuthorizeDecision, handleAuthorizePage } from './oauth/authorize.routes.ts';
import { handleToken } from './oauth/token.route.ts';
import type { EmulatorState } from './state.ts';

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Dropbox-API-Result, X-Dropbox-Request-Id, Content-Range, ETag, Retry-After, WWW-Authenticate',
};

const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Dropbox-API-Arg, Dropbox-API-Path-Root, Dropbox-API-Select-User, Dropbox-API-Select-Admin, Range, If-None-Match',
  'Access-Control-Max-Age': '600',
};

/** Which handler serves a path, and the route name faults match against. Host names never matter. */
function resolve(ex: Exchange, state: EmulatorState): { route: string; run: () => Promise<void> } | undefined {
  const path = ex.url.pathname;
  if (path.startsWith('/2/')) {
    const route = path.slice(3);
    return { route, run: () => dispatchApi(ex, state, route, API_ROUTES) };
  }
  switch (path) {
    case '/oauth2/token':
      return { route: 'oauth2/token', run: () => handleToken(ex, state) };
    case '/oauth2/authorize':
      return { route: 'oauth2/authorize', run: () => handleAuthorizePage(ex, state) };
    case '/oauth2/authorize/decision':
      return { route: 'oauth2/authorize/decision', run: () => handleAuthorizeDecision(ex, state) };
    default:
      return undefined;
  }
}

const INDEX_PAGE = `<!doctype html><meta charset="utf-8"><title>Dropbox API emulator</title>
<h1>Dropbox API emulator</h1><p>Serves Dropbox HTTP API v2 routes under <code>/2/</code>, OAuth under <code>/oauth2/</code>,
and the test-control API under <code>/__emulator/</code> (see <code>GET /__emulator/info</code>). See emulator/README.md.</p>`;

async function handle(ex: Exchange, state: EmulatorState): Promise<void> {
  const path = ex.url.pathname;
  if (path.startsWith('/__emulator/')) return handleControl(ex, state, path.slice('/__emulator/'.length));
  for (const [name, value] of Object.entries(CORS_HEADERS)) ex.res.setHeader(name, value);
  if (ex.req.method === 'OPTIONS') return send(ex, 204, undefined, '', PREFLIGHT_HEADERS);
  if (path === '/') return sendHtml(ex, 200, INDEX_PAGE);
  const target = resolve(ex, state);
  if (!target) return sendText(ex, 404, `Unknown path ${path}`);
  const fault = state.faults.take(target.route);
  if (fault) return applyFault(ex, target.route, fault, target.run);
  return target.run();
}

/** The emulator's single request listener; every response carries `X-Dropbox-Request-Id`. */
export function createRequestListener(state: EmulatorState): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = newRequestId();
    res.setHeader('X-Dropbox-Request-Id', requestId);
    const ex: Exchange = { req, res, url: new URL(req.url ?? '/', 'http://emulator.invalid'), requestId };
    handle(ex, state).catch((error: unknown) => {
      console.error(`[dropbox-emulator] ${req.method} ${req.url} failed:`, error);
      if (!res.headersSent && !res.destroyed) {
        sendText(ex, 500, `Internal emulator error (request ${requestId}): ${(error as Error).message}`).catch(() => res.destroy());
      } else {
        res.destroy();
      }
    });
  };
}
