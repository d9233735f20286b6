import type { Exchange } from '../http/exchange.ts';
import { readBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import type { EmulatorState } from '../state.ts';

/** A control-API refusal: `{error: message}` with the given status. */
class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function jsonBody(ex: Exchange): Promise<Record<string, unknown>> {
  const body = await readBody(ex.req, 1024 * 1024);
  if (body === undefined) throw new ControlError(413, 'body too large');
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new ControlError(400, 'body must be a JSON object');
  }
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ControlError(400, `${name} must be a list of strings`);
  return value as string[];
}

function mintTokens(state: EmulatorState, body: Record<string, unknown>): unknown {
  const app = state.apps.get(String(body['app_key']));
  if (!app) throw new ControlError(404, `unknown app_key ${JSON.stringify(body['app_key'])}`);
  const account = state.accounts.get(String(body['account_email']).toLowerCase());
  if (!account) throw new ControlError(404, `unknown account_email ${JSON.stringify(body['account_email'])}`);
  const scopes = body['scopes'] === undefined ? [...app.scopes] : stringList(body['scopes'], 'scopes');
  const notEnabled = scopes.filter((s) => !app.scopes.includes(s));
  if (notEnabled.length > 0) throw new ControlError(400, `scopes not enabled for app ${app.key}: ${notEnabled.join(' ')}`);
  const accessType = body['token_access_type'] ?? 'offline';
  if (accessType !== 'offline' && accessType !== 'online') throw new ControlError(400, 'token_access_type must be offline or online');
  const grant = { appKey: app.key, email: account.email.toLowerCase(), scopes };
  const refresh = accessType === 'offline' ? state.tokens.issueRefresh(grant, false) : undefined;
  const access = state.tokens.issueAccess(grant, refresh?.token);
  return {
    ...(refresh ? { refresh_token: refresh.token } : {}),
    access_token: access.token,
    expires_in: state.config.accessTokenTtlSeconds,
    account_id: account.accountId,
    uid: account.uid,
    scope: scopes.join(' '),
  };
}

function describe(state: EmulatorState): unknown {
  return {
    apps: [...state.apps.values()].map((a) => ({ ...a })),
    accounts: [...state.accounts.values()].map((a) => ({
      name: a.name,
      email: a.email,
      account_id: a.accountId,
      quota_bytes: a.quotaBytes,
      used_bytes: a.ns.used(),
    })),
    clock_offset_seconds: state.clock.offsetSeconds(),
    access_token_ttl_seconds: state.config.accessTokenTtlSeconds,
    max_request_bytes: state.config.maxRequestBytes,
    upload_session_ttl_seconds: state.config.uploadSessionTtlSeconds,
  };
}

async function route(ex: Exchange, state: EmulatorState, path: string): Promise<unknown> {
  const method = ex.req.method ?? 'GET';
  const parts = path.split('/').map((p) => decodeURIComponent(p));
  const at = `${method} ${parts[0] ?? ''}`;
  if (at === 'GET info' && parts.length === 1) return describe(state);
  if (at === 'POST tokens' && parts.length === 1) return mintTokens(state, await jsonBody(ex));
  if (parts[0] === 'faults' && parts.length === 1) {
    if (method === 'GET') return { faults: state.faults.list() };
    if (method === 'DELETE') {
      state.faults.clear();
      return {};
    }
    if (method === 'POST') {
      try {
        return { id: state.faults.add(await jsonBody(ex)).id };
      } catch (error) {
        if (error instanceof ControlError) throw error;
        throw new ControlError(400, (error as Error).message);
      }
    }
  }
  if (method === 'POST' && parts[0] === 'apps' && parts.length === 3) {
    const app = state.apps.get(parts[1]!);
    if (!app) throw new ControlError(404, `unknown app ${parts[1]}`);
    if (parts[2] === 'revoke') {
      state.tokens.revokeApp(app.key);
      return {};
    }
    if (parts[2] === 'scopes') {
      const body = await jsonBody(ex);
      app.scopes = [...new Set(stringList(body['scopes'], 'scopes'))];
      if (body['invalidate_tokens'] === true) state.tokens.revokeApp(app.key);
      return { scopes: app.scopes };
    }
  }
  if (method === 'POST' && parts[0] === 'accounts' && parts[2] === 'quota' && parts.length === 3) {
    const account = state.accounts.get(parts[1]!.toLowerCase());
    if (!account) throw new ControlError(404, `unknown account ${parts[1]}`);
    const bytes = (await jsonBody(ex))['bytes'];
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) throw new ControlError(400, 'bytes must be a non-negative integer');
    account.quotaBytes = bytes;
    return { bytes };
  }
  if (at === 'POST reset' && parts.length === 1) {
    await state.reset();
    return {};
  }
  if (parts[0] === 'clock' && parts.length === 1) {
    if (method === 'POST') {
      const body = await jsonBody(ex);
      const advance = body['advance_seconds'];
      const offset = body['offset_seconds'];
      if (typeof advance === 'number' && Number.isFinite(advance) && advance >= 0) state.clock.setOffsetSeconds(state.clock.offsetSeconds() + advance);
      else if (typeof offset === 'number' && Number.isFinite(offset) && offset >= 0) state.clock.setOffsetSeconds(offset);
      else throw new ControlError(400, 'give advance_seconds (added) or offset_seconds (absolute), a non-negative number');
    }
    if (method === 'POST' || method === 'GET') return { offset_seconds: state.clock.offsetSeconds(), now: new Date(state.clock.now()).toISOString() };
  }
  throw new ControlError(404, `no control route ${method} /__emulator/${path}`);
}

/** The test-control API under `/__emulator/` (see README). JSON in, JSON out; errors are `{error}`. */
export async function handleControl(ex: Exchange, state: EmulatorState, path: string): Promise<void> {
  try {
    await sendJson(ex, 200, await route(ex, state, path));
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
    await sendJson(ex, error.status, { error: error.message });
  }
}
