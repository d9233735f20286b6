import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile } from 'dropbox';
import { content, httpHeaderSafe, patternBytes, referenceContentHash, startTestEmulator, type TestEmulator } from './support.ts';

let emu: TestEmulator;
let token: string;
const data = Buffer.from('0123456789');
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(() => emu.close());
beforeEach(async () => {
  await emu.control.reset();
  token = await emu.token();
  expect((await content(emu.url, token, 'files/upload', { path: '/d.txt' }, data)).status).toBe(200);
});

function get(headers: Record<string, string> = {}, path = '/d.txt'): Promise<Response> {
  return fetch(`${emu.url}/2/files/download`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Dropbox-API-Arg': httpHeaderSafe({ path }), ...headers } });
}

describe('files/download', () => {
  it('streams the bytes with Dropbox-API-Result, ETag and Content-Length', async () => {
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('content-length')).toBe('10');
    const meta = JSON.parse(r.headers.get('dropbox-api-result')!) as { rev: string; size: number; content_hash: string };
    expect(meta).toMatchObject({ size: 10, content_hash: referenceContentHash(data) });
    expect(r.headers.get('etag')).toBe(`W/"${meta.rev}"`);
    expect(Buffer.from(await r.arrayBuffer())).toEqual(data);
    const cached = await get({ 'If-None-Match': r.headers.get('etag')! });
    expect(cached.status).toBe(304);
  });

  it('answers ranges with 206 and an exact Content-Range, and 416 when unsatisfiable', async () => {
    const cases: [string, string, string][] = [
      ['bytes=2-5', 'bytes 2-5/10', '2345'],
      ['bytes=7-', 'bytes 7-9/10', '789'],
      ['bytes=-3', 'bytes 7-9/10', '789'],
      ['bytes=8-100', 'bytes 8-9/10', '89'],
    ];
    for (const [range, contentRange, body] of cases) {
      const r = await get({ Range: range });
      expect(r.status).toBe(206);
      expect(r.headers.get('content-range')).toBe(contentRange);
      expect(r.headers.get('dropbox-api-result')).toBeTruthy();
      expect(await r.text()).toBe(body);
    }
    const beyond = await get({ Range: 'bytes=10-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */10');
  });

  it('accepts GET with the arg and authorization URL parameters', async () => {
    const r = await fetch(`${emu.url}/2/files/download?arg=${encodeURIComponent(JSON.stringify({ path: '/d.txt' }))}&authorization=${encodeURIComponent(`Bearer ${token}`)}`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('0123456789');
  });

  it('folders and missing files are 409 path errors', async () => {
    await content(emu.url, token, 'files/upload', { path: '/f/x.txt' }, data);
    expect(await (await get({}, '/f')).json()).toMatchObject({ error: { '.tag': 'path', path: { '.tag': 'not_file' } } });
    const missing = await get({}, '/missing');
    expect(missing.status).toBe(409);
    expect(await missing.json()).toMatchObject({ error: { path: { '.tag': 'not_found' } } });
  });

  it('downloads by rev: path', async () => {
    const meta = JSON.parse((await get()).headers.get('dropbox-api-result')!) as { rev: string };
    expect(await (await get({}, `rev:${meta.rev}`)).text()).toBe('0123456789');
  });

  it('works with the SDK downloadFile, including resuming after a cut response', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emu-dl-'));
    try {
      const big = patternBytes(3 * 1024 * 1024 + 3, 21);
      expect((await content(emu.url, token, 'files/upload', { path: '/big.bin' }, big)).status).toBe(200);
      const dbx = await emu.client();
      await emu.control.injectFault({ route: 'files/download', kind: 'reset_response', afterBytes: 1024 * 1024 });
      await downloadFile(dbx, '/big.bin', join(dir, 'big.bin'), { retryDelay: 1 });
      const got = await readFile(join(dir, 'big.bin'));
      expect(got.length).toBe(big.length);
      expect(got.equals(big)).toBe(true);
      expect(await (await fetch(`${emu.url}/__emulator/faults`)).json()).toEqual({ faults: [] });
      await downloadFile(dbx, '/big.bin', join(dir, 'par.bin'), { parallelDownloads: 3 });
      expect((await readFile(join(dir, 'par.bin'))).equals(big)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
