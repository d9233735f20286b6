import type { Exchange } from '../http/exchange.ts';
import { ClientGoneError } from '../http/body.ts';
import { DecodeError } from '../http/decode.ts';
import { HttpFailure, badRequest, routeError } from '../http/failure.ts';
import { sendFailure, sendJson, sendText } from '../http/respond.ts';
import { authenticate, requireScope } from '../oauth/bearer-auth.ts';
import { viewFor, type View } from '../files/view.ts';
import type { EmulatorState } from '../state.ts';
import { readArgument } from './args.ts';
import type { ApiCall, RouteDef } from './route.ts';

/** Only the caller's own root is supported in `Dropbox-API-Path-Root` (home, or root/namespace_id of the account). */
function checkPathRoot(ex: Exchange, call: ApiCall): void {
  const header = ex.req.headers['dropbox-api-path-root'];
  if (typeof header !== 'string') return;
  let root: { '.tag'?: string; root?: string; namespace_id?: string };
  try {
    root = JSON.parse(header) as typeof root;
  } catch {
    throw badRequest('HTTP header "Dropbox-API-Path-Root": could not decode input as JSON');
  }
  const id = call.auth.account.namespaceId;
  if (root['.tag'] === 'home') return;
  if ((root['.tag'] === 'root' && root.root === id) || (root['.tag'] === 'namespace_id' && root.namespace_id === id)) return;
  throw routeError({ '.tag': 'no_permission' }, 422);
}

/**
 * Runs one `/2/<route>` call: authentication, scope, argument decoding, handler, and the one
 * place where thrown HttpFailures become Dropbox-shaped error responses.
 */
export async function dispatchApi(ex: Exchange, state: EmulatorState, name: string, routes: Map<string, RouteDef>): Promise<void> {
  const route = routes.get(name);
  if (!route) {
    await sendText(ex, 404, `Unknown API function: "${name}"`);
    return;
  }
  const allowed = route.style === 'download' ? ['POST', 'GET'] : ['POST'];
  if (!allowed.includes(ex.req.method ?? '')) {
    await sendText(ex, 405, `Error in call to API function "${name}": Expecting ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });
    return;
  }
  try {
    const auth = authenticate(ex, state);
    let view: View | undefined;
    const call: ApiCall = { ...ex, state, route: name, auth, view: () => (view ??= viewFor(auth.account, auth.app)) };
    checkPathRoot(ex, call);
    if (route.scope !== undefined) requireScope(auth, route.scope);
    const arg = await readArgument(ex, route);
    const result = await route.handle(call, arg);
    if (!ex.res.headersSent && !ex.res.writableEnded) await sendJson(ex, 200, result ?? null);
  } catch (error) {
    if (error instanceof HttpFailure) {
      await sendFailure(ex, name, error);
      return;
    }
    if (error instanceof ClientGoneError) {
      ex.res.destroy();
      return;
    }
    if (error instanceof DecodeError) {
      await sendFailure(ex, name, badRequest(error.message));
      return;
    }
    throw error;
  }
}
