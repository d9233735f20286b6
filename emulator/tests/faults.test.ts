import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALL_SCOPES } from '../src/index.ts';
import { ANN, APP_FOLDER_APP, content, rpc, sdkError, startTestEmulator, type TestEmulator } from './support.ts';

let emu: TestEmulator;
let token: string;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.control.reset();
  token = await emu.token();
});

const account = () => rpc(emu.url, token, 'users/get_current_account');

describe('fault injection', () => {
  it('rate_limit answers 429 with an integer Retry-After and a RateLimitError body', async () => {
    await emu.control.injectFault({ route: 'users/get_current_account', kind: 'rate_limit', retryAfter: 7 });
    const limited = await account();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toMatchObject({ error: { reason: { '.tag': 'too_many_requests' }, retry_after: 7 } });
    expect((limited.body as { error_summary: string }).error_summary).toMatch(/^too_many_requests\/\.{0,3}$/);
    expect((await account()).status).toBe(200);

    await emu.control.injectFault({ route: 'files/upload', kind: 'rate_limit', reason: 'too_many_write_operations' });
    const write = await content(emu.url, token, 'files/upload', { path: '/x' }, Buffer.from('x'));
    expect(write.status).toBe(429);
    expect(write.headers.get('retry-after')).toBe('1');
    expect(write.body).toMatchObject({ error: { reason: { '.tag': 'too_many_write_operations' } } });
    expect((await rpc(emu.url, token, 'files/get_metadata', { path: '/x' })).status).toBe(409);
  });

  it('skip lets requests through first; times fails that many; * matches every route', async () => {
    await emu.control.injectFault({ route: 'users/get_current_account', kind: 'server_error', skip: 1, times: 2 });
    expect((await account()).status).toBe(200);
    expect((await account()).status).toBe(503);
    expect((await account()).status).toBe(503);
    expect((await account()).status).toBe(200);
    await emu.control.injectFault({ route: '*', kind: 'server_error', status: 500 });
    expect((await rpc(emu.url, token, 'files/list_folder', { path: '' })).status).toBe(500);
    expect((await rpc(emu.url, token, 'files/list_folder', { path: '' })).status).toBe(200);
  });

  it('expired_access_token answers 401 with the AuthError', async () => {
    await emu.control.injectFault({ route: 'files/list_folder', kind: 'expired_access_token' });
    const r = await rpc(emu.url, token, 'files/list_folder', { path: '' });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="Dropbox-API"');
    expect(r.body).toMatchObject({ error: { '.tag': 'expired_access_token' } });
  });

  it('reset_request drops the connection mid-body and performs nothing', async () => {
    await emu.control.injectFault({ route: 'files/upload', kind: 'reset_request', afterBytes: 64 * 1024 });
    await expect(content(emu.url, token, 'files/upload', { path: '/r.bin' }, new Uint8Array(1024 * 1024))).rejects.toThrow();
    expect((await rpc(emu.url, token, 'files/get_metadata', { path: '/r.bin' })).status).toBe(409);
  });

  it('reset_response performs the operation but cuts the answer', async () => {
    await emu.control.injectFault({ route: 'files/create_folder_v2', kind: 'reset_response', afterBytes: 5 });
    await expect(rpc(emu.url, token, 'files/create_folder_v2', { path: '/made' })).rejects.toThrow();
    expect((await rpc(emu.url, token, 'files/get_metadata', { path: '/made' })).status).toBe(200);
  });

  it('reset_response cuts a streamed download even when after_bytes exceeds its length (regression: the whole body got through)', async () => {
    await content(emu.url, token, 'files/upload', { path: '/small.txt' }, Buffer.from('0123456789'));
    await emu.control.injectFault({ route: 'files/download', kind: 'reset_response', afterBytes: 1000 });
    const download = async () => {
      const r = await fetch(`${emu.url}/2/files/download`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': '{"path":"/small.txt"}' } });
      return Buffer.from(await r.arrayBuffer());
    };
    await expect(download()).rejects.toThrow();
    expect((await download()).toString()).toBe('0123456789');
  });

  it('lost_response performs the operation and answers nothing; a retried append sees incorrect_offset', async () => {
    const id = ((await content(emu.url, token, 'files/upload_session/start', {}, Buffer.from('abc'))).body as { session_id: string }).session_id;
    await emu.control.injectFault({ route: 'files/upload_session/append_v2', kind: 'lost_response' });
    const arg = { cursor: { session_id: id, offset: 3 } };
    await expect(content(emu.url, token, 'files/upload_session/append_v2', arg, Buffer.from('def'))).rejects.toThrow();
    const retry = await content(emu.url, token, 'files/upload_session/append_v2', arg, Buffer.from('def'));
    expect(retry.body).toMatchObject({ error: { '.tag': 'incorrect_offset', correct_offset: 6 } });
  });

  it('faults on oauth2/token reach the SDK refresh', async () => {
    const dbx = await emu.client();
    await emu.control.injectFault({ route: 'oauth2/token', kind: 'server_error' });
    expect((await sdkError(dbx.usersGetCurrentAccount())).status).toBe(503);
    expect((await dbx.usersGetCurrentAccount()).status).toBe(200);
  });

  it('lists, validates and clears faults', async () => {
    const bad = await fetch(`${emu.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ route: 'x', kind: 'explode' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('kind must be one of');
    await emu.control.injectFault({ route: 'files/upload', kind: 'server_error', times: 3 });
    const listed = (await (await fetch(`${emu.url}/__emulator/faults`)).json()) as { faults: { route: string; times: number }[] };
    expect(listed.faults).toMatchObject([{ route: 'files/upload', times: 3 }]);
    await emu.control.clearFaults();
    expect(await (await fetch(`${emu.url}/__emulator/faults`)).json()).toEqual({ faults: [] });
  });
});

describe('control API', () => {
  it('reset deletes files and tokens and restores configured scopes and quotas', async () => {
    await content(emu.url, token, 'files/upload', { path: '/keep?.txt' }, Buffer.from('x'));
    await emu.control.setScopes(APP_FOLDER_APP.key, ['account_info.read']);
    await emu.control.setQuota(ANN.email, 1);
    await emu.control.reset();
    expect((await account()).status).toBe(401);
    const fresh = await emu.token();
    expect((await rpc(emu.url, fresh, 'files/list_folder', { path: '' })).body).toMatchObject({ entries: [] });
    const info = (await (await fetch(`${emu.url}/__emulator/info`)).json()) as { apps: { key: string; scopes: string[] }[]; accounts: { email: string; quota_bytes: number }[] };
    expect(info.apps.find((a) => a.key === APP_FOLDER_APP.key)!.scopes).toEqual(ALL_SCOPES);
    expect(info.accounts.find((a) => a.email === ANN.email)!.quota_bytes).toBe(ANN.quotaBytes);
  });

  it('mints tokens with a scope subset and refuses unknown apps, accounts and scopes', async () => {
    const minted = await emu.control.mintTokens({ appKey: APP_FOLDER_APP.key, accountEmail: ANN.email, scopes: ['account_info.read'] });
    expect(minted.accountId).toMatch(/^dbid:/);
    expect(minted.expiresIn).toBe(14400);
    await expect(emu.control.mintTokens({ appKey: 'nope', accountEmail: ANN.email })).rejects.toThrow(/404/);
    await expect(emu.control.mintTokens({ appKey: APP_FOLDER_APP.key, accountEmail: 'nobody@example.com' })).rejects.toThrow(/404/);
    await expect(emu.control.mintTokens({ appKey: APP_FOLDER_APP.key, accountEmail: ANN.email, scopes: ['team_data.member'] })).rejects.toThrow(/400/);
  });
});
