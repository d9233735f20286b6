import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createDropboxFetch, resolveDropboxApiBaseUrl, rewriteDropboxUrl, type FetchLike } from './dropbox-fetch.ts';

describe('resolveDropboxApiBaseUrl', () => {
  it('prefers the explicit option, then DBACKUP_DROPBOX_API_URL; unset means real Dropbox', () => {
    expect(resolveDropboxApiBaseUrl(undefined, {})).toBeUndefined();
    expect(resolveDropboxApiBaseUrl(undefined, { DBACKUP_DROPBOX_API_URL: 'http://127.0.0.1:8787/' })).toBe('http://127.0.0.1:8787');
    expect(resolveDropboxApiBaseUrl('http://localhost:9/x/', { DBACKUP_DROPBOX_API_URL: 'http://127.0.0.1:8787' })).toBe('http://localhost:9/x');
    expect(resolveDropboxApiBaseUrl(undefined, { DBACKUP_DROPBOX_API_URL: '  ' })).toBeUndefined();
  });

  it.each(['not a url', 'ftp://host', 'http://host/?q=1'])('rejects %j with invalid_input', (value) => {
    expect(() => resolveDropboxApiBaseUrl(value, {})).toThrow(expect.objectContaining({ code: 'invalid_input' }));
  });
});

describe('rewriteDropboxUrl', () => {
  it('maps the api, content, token and authorize hosts, keeping path and query', () => {
    const base = 'http://127.0.0.1:8787';
    expect(rewriteDropboxUrl('https://api.dropboxapi.com/2/files/list_folder', base)).toBe(`${base}/2/files/list_folder`);
    expect(rewriteDropboxUrl('https://content.dropboxapi.com/2/files/upload', base)).toBe(`${base}/2/files/upload`);
    expect(rewriteDropboxUrl('https://api.dropboxapi.com/oauth2/token?grant_type=refresh_token', base)).toBe(`${base}/oauth2/token?grant_type=refresh_token`);
    expect(rewriteDropboxUrl('https://dropbox.com/oauth2/authorize?client_id=k', base)).toBe(`${base}/oauth2/authorize?client_id=k`);
  });

  it('leaves other URLs and look-alike hosts alone, and everything when unset', () => {
    expect(rewriteDropboxUrl('https://api.dropboxapi.com.evil.example/2/x', 'http://e')).toBe('https://api.dropboxapi.com.evil.example/2/x');
    expect(rewriteDropboxUrl('https://example.com/2/x', 'http://e')).toBe('https://example.com/2/x');
    expect(rewriteDropboxUrl('https://api.dropboxapi.com/2/x', undefined)).toBe('https://api.dropboxapi.com/2/x');
  });
});

describe('createDropboxFetch', () => {
  function recorder(): { fetch: FetchLike; calls: { url: string; init?: RequestInit & { duplex?: string } }[] } {
    const calls: { url: string; init?: RequestInit & { duplex?: string } }[] = [];
    const fetch: FetchLike = async (input, init) => {
      calls.push({ url: String(input), init });
      return new Response('null');
    };
    return { fetch, calls };
  }

  it('sends Dropbox URLs to the base URL and passes the request through', async () => {
    const { fetch, calls } = recorder();
    const signal = new AbortController().signal;
    await createDropboxFetch({ apiBaseUrl: 'http://127.0.0.1:1', fetch })('https://api.dropboxapi.com/2/users/get_space_usage', { method: 'POST', signal });
    expect(calls).toEqual([{ url: 'http://127.0.0.1:1/2/users/get_space_usage', init: { method: 'POST', signal } }]);
  });

  it("adds duplex: 'half' for stream bodies and keeps one already set", async () => {
    const { fetch, calls } = recorder();
    const dropboxFetch = createDropboxFetch({ fetch });
    await dropboxFetch('https://content.dropboxapi.com/2/files/upload', { method: 'POST', body: Readable.from([Buffer.from('x')]) as never });
    await dropboxFetch('https://content.dropboxapi.com/2/files/upload', { method: 'POST', body: new Uint8Array(1) });
    expect(calls[0]?.init?.duplex).toBe('half');
    expect(calls[0]?.url).toBe('https://content.dropboxapi.com/2/files/upload');
    expect(calls[1]?.init?.duplex).toBeUndefined();
  });
});
