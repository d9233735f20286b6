import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Dropbox } from 'dropbox';
import { ANN, APP_FOLDER_APP, BOB, FULL_APP, content, patternBytes, referenceContentHash, rpc, sdkError, startTestEmulator, type TestEmulator } from './support.ts';

let emu: TestEmulator;
let dbx: Dropbox;
let token: string;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.control.reset();
  dbx = await emu.client();
  token = await emu.token();
});

const put = (path: string, data: string | Buffer, extra: Record<string, unknown> = {}) =>
  dbx.filesUpload({ path, contents: Buffer.from(data), ...extra } as Parameters<Dropbox['filesUpload']>[0]).then((r) => r.result);

describe('metadata and listing', () => {
  it('uploads return FileMetadata with exact formats; get_metadata and list_folder agree', async () => {
    const file = await put('/backups/db.sql.gz', 'hello');
    expect(file).toMatchObject({ name: 'db.sql.gz', path_lower: '/backups/db.sql.gz', path_display: '/backups/db.sql.gz', size: 5, is_downloadable: true });
    expect(file).not.toHaveProperty('.tag');
    expect(file.id).toMatch(/^id:[A-Za-z0-9_-]+$/);
    expect(file.rev).toMatch(/^[0-9a-f]{9,}$/);
    expect(file.server_modified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(file.content_hash).toBe(referenceContentHash(Buffer.from('hello')));
    const meta = (await dbx.filesGetMetadata({ path: '/backups/db.sql.gz' })).result;
    expect(meta).toEqual({ '.tag': 'file', ...file });
    const folder = (await dbx.filesGetMetadata({ path: '/backups' })).result;
    expect(folder).toMatchObject({ '.tag': 'folder', name: 'backups', path_lower: '/backups' });
  });

  it('pages list_folder with limit/cursor/has_more and reports later changes through continue', async () => {
    for (let i = 0; i < 7; i += 1) await put(`/many/f${i}.txt`, `content ${i}`);
    const seen: string[] = [];
    let page = (await dbx.filesListFolder({ path: '/many', limit: 3 })).result;
    const sizes = [page.entries.length];
    seen.push(...page.entries.map((e) => e.name));
    while (page.has_more) {
      page = (await dbx.filesListFolderContinue({ cursor: page.cursor })).result;
      sizes.push(page.entries.length);
      seen.push(...page.entries.map((e) => e.name));
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen.sort()).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt', 'f6.txt']);

    const idle = (await dbx.filesListFolderContinue({ cursor: page.cursor })).result;
    expect(idle.entries).toEqual([]);
    expect(idle.has_more).toBe(false);

    await put('/many/new.txt', 'new');
    await dbx.filesDeleteV2({ path: '/many/f0.txt' });
    const changes = (await dbx.filesListFolderContinue({ cursor: idle.cursor })).result;
    expect(changes.entries.map((e) => [e['.tag'], e.name])).toEqual([['file', 'new.txt'], ['deleted', 'f0.txt']]);
  });

  it('recursive listing of a folder starts with the folder itself and includes the subtree', async () => {
    await put('/r/a/one.txt', '1');
    await put('/r/b/two.txt', '2');
    await put('/other.txt', 'x');
    const entries = (await dbx.filesListFolder({ path: '/r', recursive: true })).result.entries;
    expect(entries.map((e) => e.path_lower)).toEqual(['/r', '/r/a', '/r/a/one.txt', '/r/b', '/r/b/two.txt']);
    const root = (await dbx.filesListFolder({ path: '', recursive: true })).result.entries;
    expect(root.map((e) => e.path_lower)).toContain('/other.txt');
    expect(root.map((e) => e.path_lower)).not.toContain('');
  });

  it('is case-insensitive and case-preserving', async () => {
    await put('/Backups/Daily/DB.sql', 'a');
    const meta = (await dbx.filesGetMetadata({ path: '/backups/daily/db.SQL' })).result;
    expect(meta.path_display).toBe('/Backups/Daily/DB.sql');
    expect(meta.path_lower).toBe('/backups/daily/db.sql');
    const second = await put('/BACKUPS/daily/other.sql', 'b');
    expect(second.path_display).toBe('/Backups/Daily/other.sql');
    const list = (await dbx.filesListFolder({ path: '/BACKUPS' })).result.entries;
    expect(list.map((e) => e.name)).toEqual(['Daily']);
  });

  it('handles non-ASCII names in arguments, results and the Dropbox-API-Result header', async () => {
    const name = '/Sicherung/Ünïcödé 数据 😀.sql';
    const uploaded = await put(name, 'data');
    expect(uploaded.path_display).toBe(name);
    const raw = await fetch(`${emu.url}/2/files/download`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': JSON.stringify({ path: name.toLowerCase() }).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) },
    });
    const header = raw.headers.get('dropbox-api-result')!;
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(header).toContain('\\ud83d\\ude00');
    expect(JSON.parse(header).path_display).toBe(name);
    const downloaded = (await dbx.filesDownload({ path: name })).result as unknown as { fileBinary: Buffer; name: string };
    expect(downloaded.fileBinary.toString()).toBe('data');
    expect(downloaded.name).toBe('Ünïcödé 数据 😀.sql');
  });

  it('get_metadata: not_found is a 409 envelope; include_deleted shows deleted entries; the root is a 400', async () => {
    const missing = await sdkError(dbx.filesGetMetadata({ path: '/nope' }));
    expect(missing.status).toBe(409);
    expect(missing.error).toMatchObject({ error: { '.tag': 'path', path: { '.tag': 'not_found' } } });
    expect((missing.error as { error_summary: string }).error_summary).toMatch(/^path\/not_found\/\.{0,3}$/);
    await put('/gone.txt', 'x');
    await dbx.filesDeleteV2({ path: '/gone.txt' });
    expect((await dbx.filesGetMetadata({ path: '/gone.txt', include_deleted: true })).result).toEqual({ '.tag': 'deleted', name: 'gone.txt', path_lower: '/gone.txt', path_display: '/gone.txt' });
    const root = await rpc(emu.url, token, 'files/get_metadata', { path: '' });
    expect(root.status).toBe(400);
    expect(root.text).toBe('Error in call to API function "files/get_metadata": request body: path: The root folder is unsupported.');
  });

  it('looks files up by id', async () => {
    const file = await put('/by-id.txt', 'x');
    expect((await dbx.filesGetMetadata({ path: file.id })).result.path_display).toBe('/by-id.txt');
  });
});

describe('folders and deletes', () => {
  it('create_folder_v2 creates parents, conflicts on existing items, autorenames', async () => {
    const created = (await dbx.filesCreateFolderV2({ path: '/a/b/c' })).result.metadata;
    expect(created).toEqual({ name: 'c', path_lower: '/a/b/c', path_display: '/a/b/c', id: expect.stringMatching(/^id:/) });
    expect((await dbx.filesGetMetadata({ path: '/a/b' })).result['.tag']).toBe('folder');
    const conflict = await sdkError(dbx.filesCreateFolderV2({ path: '/A/B/C' }));
    expect(conflict.status).toBe(409);
    expect(conflict.error).toMatchObject({ error: { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'folder' } } } });
    expect((await dbx.filesCreateFolderV2({ path: '/a/b/c', autorename: true })).result.metadata.name).toBe('c (1)');
    await put('/file.txt', 'x');
    const underFile = await sdkError(dbx.filesCreateFolderV2({ path: '/file.txt/sub' }));
    expect(underFile.error).toMatchObject({ error: { path: { '.tag': 'conflict', conflict: { '.tag': 'file_ancestor' } } } });
  });

  it('delete_v2 returns the metadata as it was, deletes folders recursively and frees space', async () => {
    await put('/d/one.txt', '12345');
    await put('/d/sub/two.txt', '678');
    expect((await dbx.usersGetSpaceUsage()).result.used).toBe(8);
    const deleted = (await dbx.filesDeleteV2({ path: '/D' })).result.metadata;
    expect(deleted).toMatchObject({ '.tag': 'folder', path_display: '/d' });
    expect((await dbx.usersGetSpaceUsage()).result.used).toBe(0);
    const again = await sdkError(dbx.filesDeleteV2({ path: '/d' }));
    expect(again.error).toMatchObject({ error: { '.tag': 'path_lookup', path_lookup: { '.tag': 'not_found' } } });
  });
});

describe('upload write modes', () => {
  it('add conflicts, overwrite replaces (same id, new rev), update checks the rev, identical content is a no-op', async () => {
    const first = await put('/m/db.sql.gz', 'v1');
    const conflict = await sdkError(put('/m/db.sql.gz', 'v2'));
    expect(conflict.status).toBe(409);
    expect(conflict.error).toMatchObject({ error: { '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } }, upload_session_id: expect.any(String) } });
    expect((conflict.error as { error_summary: string }).error_summary).toMatch(/^path\/conflict\/file\/\.{0,3}$/);

    const same = await put('/m/db.sql.gz', 'v1');
    expect(same.rev).toBe(first.rev);
    const sameRenamed = await put('/m/db.sql.gz', 'v1', { autorename: true });
    expect(sameRenamed.name).toBe('db.sql.gz');
    const strict = await sdkError(put('/m/db.sql.gz', 'v1', { strict_conflict: true }));
    expect(strict.status).toBe(409);

    const renamed = await put('/m/db.sql.gz', 'v2', { autorename: true });
    expect(renamed.name).toBe('db (1).sql.gz');
    expect((await put('/m/db.sql.gz', 'v3', { autorename: true })).name).toBe('db (2).sql.gz');

    const overwritten = await put('/m/db.sql.gz', 'v4', { mode: { '.tag': 'overwrite' } });
    expect(overwritten.id).toBe(first.id);
    expect(overwritten.rev).not.toBe(first.rev);
    const staleUpdate = await sdkError(put('/m/db.sql.gz', 'v5', { mode: { '.tag': 'update', update: first.rev } }));
    expect(staleUpdate.error).toMatchObject({ error: { reason: { '.tag': 'conflict' } } });
    const updated = await put('/m/db.sql.gz', 'v5', { mode: { '.tag': 'update', update: overwritten.rev } });
    expect(updated.size).toBe(2);
    const conflicted = await put('/m/db.sql.gz', 'v6', { mode: { '.tag': 'update', update: overwritten.rev }, autorename: true });
    expect(conflicted.name).toBe('db (conflicted copy).sql.gz');
  });

  it('accepts the compact form of void unions and keeps client_modified', async () => {
    const result = await content(emu.url, token, 'files/upload', { path: '/c.txt', mode: 'overwrite', client_modified: '2020-01-02T03:04:05Z' }, Buffer.from('x'));
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ client_modified: '2020-01-02T03:04:05Z' });
  });

  it('refuses disallowed names and malformed paths', async () => {
    for (const name of ['.dropbox', 'desktop.ini', 'Thumbs.db', '.DS_Store', 'Icon\r', '.dropbox.attr']) {
      const refused = await sdkError(put(`/x/${name}`, 'x'));
      expect(refused.error).toMatchObject({ error: { '.tag': 'path', reason: { '.tag': 'disallowed_name' } } });
    }
    const folder = await sdkError(dbx.filesCreateFolderV2({ path: '/desktop.ini' }));
    expect(folder.error).toMatchObject({ error: { path: { '.tag': 'disallowed_name' } } });
    for (const path of ['/trailing/', '/a//b', '/space ', `/${'n'.repeat(256)}`]) {
      const malformed = await sdkError(dbx.filesGetMetadata({ path }));
      expect(malformed.status).toBe(409);
      expect(malformed.error).toMatchObject({ error: { path: { '.tag': 'malformed_path' } } });
    }
    expect((await put(`/${'n'.repeat(255)}`, 'ok')).name.length).toBe(255);
  });

  it('computes content_hash exactly across 4 MiB blocks and checks a supplied content_hash', async () => {
    const data = patternBytes(9 * 1024 * 1024 + 123, 7);
    const uploaded = await put('/big.bin', data);
    expect(uploaded.content_hash).toBe(referenceContentHash(data));
    expect(uploaded.size).toBe(data.length);
    const wrong = await content(emu.url, token, 'files/upload', { path: '/h.bin', content_hash: 'a'.repeat(64) }, Buffer.from('abc'));
    expect(wrong.status).toBe(409);
    expect(wrong.body).toMatchObject({ error: { '.tag': 'content_hash_mismatch' } });
    const right = await content(emu.url, token, 'files/upload', { path: '/h.bin', content_hash: referenceContentHash(Buffer.from('abc')) }, Buffer.from('abc'));
    expect(right.status).toBe(200);
    const empty = await put('/empty.bin', '');
    expect(empty.content_hash).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('exact 400 texts', () => {
  const expectText = (r: { status: number; headers: Headers; text: string }, route: string, detail: string) => {
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.text).toBe(`Error in call to API function "${route}": ${detail}`);
  };

  it('malformed JSON, unknown fields, "/" as root, missing slash, bad timestamps', async () => {
    const bad = await fetch(`${emu.url}/2/files/list_folder`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{nope' });
    expectText({ status: bad.status, headers: bad.headers, text: await bad.text() }, 'files/list_folder', 'request body: could not decode input as JSON');
    expectText(await rpc(emu.url, token, 'files/list_folder', { path: '', root: 1 }), 'files/list_folder', "request body: unknown field 'root'");
    expectText(await rpc(emu.url, token, 'files/list_folder', { path: '/' }), 'files/list_folder', 'request body: path: Specify the root folder as an empty string rather than as "/".');
    const noSlash = await rpc(emu.url, token, 'files/list_folder', { path: 'tmp' });
    expect(noSlash.text).toMatch(/^Error in call to API function "files\/list_folder": request body: path: 'tmp' did not match pattern/);
    const millis = await content(emu.url, token, 'files/upload', { path: '/t.txt', client_modified: '2020-01-02T03:04:05.000Z' }, Buffer.from('x'));
    expectText(millis, 'files/upload', `HTTP header "Dropbox-API-Arg": client_modified: time data '2020-01-02T03:04:05.000Z' does not match format '%Y-%m-%dT%H:%M:%SZ'`);
    const missingTag = await content(emu.url, token, 'files/upload', { path: '/t.txt', mode: { update: 'abc' } }, Buffer.from('x'));
    expectText(missingTag, 'files/upload', `HTTP header "Dropbox-API-Arg": mode: missing '.tag' key`);
  });

  it('bad Content-Type on upload, body or Content-Type on download, JSON garbage on a void route', async () => {
    const upload = await content(emu.url, token, 'files/upload', { path: '/t.txt' }, Buffer.from('x'), { 'Content-Type': 'application/json' });
    expectText(upload, 'files/upload', 'Bad HTTP "Content-Type" header: "application/json".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".');
    await put('/t.txt', 'x');
    const withBody = await fetch(`${emu.url}/2/files/download`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': '{"path":"/t.txt"}' }, body: new Uint8Array([1, 2, 3]) });
    expect(withBody.status).toBe(400);
    expect(await withBody.text()).toContain('request body is supposed to be empty');
    const typed = await fetch(`${emu.url}/2/files/download`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': '{"path":"/t.txt"}', 'Content-Type': 'application/octet-stream' } });
    expect(await typed.text()).toContain('You provided a non-empty HTTP "Content-Type" header ("application/octet-stream")');
    const emptyJson = await fetch(`${emu.url}/2/users/get_current_account`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    expect(emptyJson.status).toBe(400);
    expect(await emptyJson.text()).toContain('could not decode input as JSON');
    const nullBody = await fetch(`${emu.url}/2/users/get_current_account`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: 'null' });
    expect(nullBody.status).toBe(200);
  });

  it('every response carries X-Dropbox-Request-Id', async () => {
    for (const r of [await rpc(emu.url, token, 'files/list_folder', { path: '' }), await rpc(emu.url, token, 'files/list_folder', { path: '/' }), await rpc(emu.url, token, 'files/nope', {})]) {
      expect(r.headers.get('x-dropbox-request-id')).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});

describe('app folder, accounts, scopes and quota', () => {
  it('an app-folder app sees only /Apps/<name>, with paths relative to it', async () => {
    await put('/inside.txt', 'x');
    const full = await emu.client(FULL_APP.key);
    await full.filesUpload({ path: '/outside.txt', contents: Buffer.from('y') });
    const fullView = (await full.filesGetMetadata({ path: `/Apps/${APP_FOLDER_APP.appFolderName}/inside.txt` })).result;
    expect(fullView.path_display).toBe(`/Apps/${APP_FOLDER_APP.appFolderName}/inside.txt`);
    const appView = (await dbx.filesListFolder({ path: '' })).result.entries;
    expect(appView.map((e) => e.path_display)).toEqual(['/inside.txt']);
    expect((await sdkError(dbx.filesGetMetadata({ path: '/outside.txt' }))).status).toBe(409);
    const outsideId = (await full.filesGetMetadata({ path: '/outside.txt' })).result as { id: string };
    expect((await sdkError(dbx.filesGetMetadata({ path: outsideId.id }))).status).toBe(409);
    const rootList = (await full.filesListFolder({ path: '' })).result.entries.map((e) => e.name).sort();
    expect(rootList).toEqual(['Apps', 'outside.txt']);
  });

  it('accounts are isolated', async () => {
    await put('/ann.txt', 'x');
    const bob = await emu.client(APP_FOLDER_APP.key, BOB.email);
    expect((await bob.filesListFolder({ path: '' })).result.entries).toEqual([]);
  });

  it('enforces scopes per route with 401 missing_scope', async () => {
    const readOnly = await emu.token(APP_FOLDER_APP.key, ANN.email, ['files.metadata.read', 'files.content.read']);
    const upload = await content(emu.url, readOnly, 'files/upload', { path: '/x.txt' }, Buffer.from('x'));
    expect(upload.status).toBe(401);
    expect(upload.body).toMatchObject({ error: { '.tag': 'missing_scope', required_scope: 'files.content.write' } });
    expect((await rpc(emu.url, readOnly, 'users/get_space_usage')).body).toMatchObject({ error: { required_scope: 'account_info.read' } });
    expect((await rpc(emu.url, readOnly, 'files/list_folder', { path: '' })).status).toBe(200);
  });

  it('reports space usage and refuses commits beyond the quota with insufficient_space', async () => {
    await emu.control.setQuota(ANN.email, 10);
    await put('/q1.txt', '123456');
    const usage = (await dbx.usersGetSpaceUsage()).result;
    expect(usage).toEqual({ used: 6, allocation: { '.tag': 'individual', allocated: 10 } });
    const over = await sdkError(put('/q2.txt', '12345'));
    expect(over.error).toMatchObject({ error: { '.tag': 'path', reason: { '.tag': 'insufficient_space' } } });
    expect((await put('/q1.txt', '1234567890', { mode: { '.tag': 'overwrite' } })).size).toBe(10);
  });
});

describe('request size limit', () => {
  it('answers an upload over maxRequestBytes with 409 payload_too_large and stores nothing', async () => {
    const small = await startTestEmulator({ maxRequestBytes: 1024 * 1024 });
    try {
      const t = await small.token();
      const tooBig = await content(small.url, t, 'files/upload', { path: '/big.bin' }, patternBytes(1024 * 1024 + 1));
      expect(tooBig.status).toBe(409);
      expect(tooBig.body).toMatchObject({ error: { '.tag': 'payload_too_large' } });
      expect((await rpc(small.url, t, 'files/get_metadata', { path: '/big.bin' })).status).toBe(409);
      expect((await content(small.url, t, 'files/upload', { path: '/ok.bin' }, patternBytes(1024 * 1024))).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
