import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bytesUpload, uploadFile, type Dropbox } from 'dropbox';
import { content, patternBytes, referenceContentHash, rpc, startTestEmulator, type TestEmulator } from './support.ts';

const MiB = 1024 * 1024;
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

const call = (route: string, arg: unknown, body?: Uint8Array) => content(emu.url, token, route, arg, body ?? new Uint8Array(0));
const start = async (arg: Record<string, unknown> = {}, body?: Uint8Array): Promise<string> => {
  const r = await call('files/upload_session/start', arg, body);
  expect(r.status).toBe(200);
  return (r.body as { session_id: string }).session_id;
};

describe('sequential sessions', () => {
  it('appends in order, reports the stored offset on a wrong one, and commits the exact bytes', async () => {
    const data = patternBytes(10);
    const id = await start({}, data.subarray(0, 5));
    expect(id).toMatch(/^pid_upload_session:/);
    const ok = await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 5 } }, data.subarray(5, 9));
    expect(ok.status).toBe(200);
    expect(ok.body).toBeNull();
    const wrong = await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 3 } }, data.subarray(3, 9));
    expect(wrong.status).toBe(409);
    expect(wrong.body).toMatchObject({ error: { '.tag': 'incorrect_offset', correct_offset: 9 } });
    expect((wrong.body as { error_summary: string }).error_summary).toMatch(/^incorrect_offset\/\.{0,3}$/);
    const wrongFinish = await call('files/upload_session/finish', { cursor: { session_id: id, offset: 4 }, commit: { path: '/s.bin' } }, data.subarray(9));
    expect(wrongFinish.body).toMatchObject({ error: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 9 } } });
    const done = await call('files/upload_session/finish', { cursor: { session_id: id, offset: 9 }, commit: { path: '/s.bin' } }, data.subarray(9));
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ size: 10, content_hash: referenceContentHash(data), path_display: '/s.bin' });
    const gone = await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 10 } });
    expect(gone.body).toMatchObject({ error: { '.tag': 'not_found' } });
  });

  it('closed sessions take no more data; finish needs an empty body', async () => {
    const id = await start({}, Buffer.from('abc'));
    expect((await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 3 }, close: true }, Buffer.from('de'))).status).toBe(200);
    expect((await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 5 } }, Buffer.from('f'))).body).toMatchObject({ error: { '.tag': 'closed' } });
    expect((await call('files/upload_session/finish', { cursor: { session_id: id, offset: 5 }, commit: { path: '/c.txt' } }, Buffer.from('f'))).body)
      .toMatchObject({ error: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'closed' } } });
    const done = await call('files/upload_session/finish', { cursor: { session_id: id, offset: 5 }, commit: { path: '/c.txt' } });
    expect(done.body).toMatchObject({ size: 5, content_hash: referenceContentHash(Buffer.from('abcde')) });
  });

  it('a wrong content_hash on append is refused and leaves the session unchanged', async () => {
    const id = await start();
    const bad = await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 0 }, content_hash: '0'.repeat(64) }, Buffer.from('xyz'));
    expect(bad.body).toMatchObject({ error: { '.tag': 'content_hash_mismatch' } });
    expect((await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 0 } }, Buffer.from('abc'))).status).toBe(200);
    const done = await call('files/upload_session/finish', { cursor: { session_id: id, offset: 3 }, commit: { path: '/h.txt' } });
    expect(done.body).toMatchObject({ content_hash: referenceContentHash(Buffer.from('abc')) });
  });

  it('a failed commit keeps the session; the retry with the advanced offset and empty body succeeds', async () => {
    await call('files/upload', { path: '/taken.txt' }, Buffer.from('old'));
    const id = await start({}, Buffer.from('new '));
    const conflict = await call('files/upload_session/finish', { cursor: { session_id: id, offset: 4 }, commit: { path: '/taken.txt' } }, Buffer.from('data'));
    expect(conflict.body).toMatchObject({ error: { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'file' } } } });
    const retry = await call('files/upload_session/finish', { cursor: { session_id: id, offset: 8 }, commit: { path: '/taken.txt', mode: 'overwrite' } });
    expect(retry.body).toMatchObject({ size: 8, content_hash: referenceContentHash(Buffer.from('new data')) });
  });

  it('sessions expire after 7 days (emulator clock)', async () => {
    const id = await start({}, Buffer.from('a'));
    await emu.control.advanceClock(7 * 24 * 3600 - 60);
    token = await emu.token(); // the old access token expired long ago
    expect((await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 1 } }, Buffer.from('b'))).status).toBe(200);
    await emu.control.advanceClock(120);
    token = await emu.token();
    expect((await call('files/upload_session/append_v2', { cursor: { session_id: id, offset: 2 } }, Buffer.from('c'))).body).toMatchObject({ error: { '.tag': 'not_found' } });
  });

  it('refuses a request body over the per-request limit with payload_too_large', async () => {
    const small = await startTestEmulator({ maxRequestBytes: MiB });
    try {
      const t = await small.token();
      const id = ((await content(small.url, t, 'files/upload_session/start', {}, new Uint8Array(0))).body as { session_id: string }).session_id;
      const big = await content(small.url, t, 'files/upload_session/append_v2', { cursor: { session_id: id, offset: 0 } }, patternBytes(MiB + 1));
      expect(big.status).toBe(409);
      expect(big.body).toMatchObject({ error: { '.tag': 'payload_too_large' } });
      expect((await content(small.url, t, 'files/upload_session/append_v2', { cursor: { session_id: id, offset: 0 } }, patternBytes(MiB))).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('concurrent sessions', () => {
  it('enforces the concurrent rules and assembles out-of-order 4 MiB chunks exactly', async () => {
    const data = patternBytes(8 * MiB + 1000, 3);
    expect((await call('files/upload_session/start', { session_type: 'concurrent' }, Buffer.from('x'))).body).toMatchObject({ error: { '.tag': 'concurrent_session_data_not_allowed' } });
    expect((await call('files/upload_session/start', { session_type: { '.tag': 'concurrent' }, close: true })).body).toMatchObject({ error: { '.tag': 'concurrent_session_close_not_allowed' } });
    const id = await start({ session_type: { '.tag': 'concurrent' } });
    const append = (offset: number, end: number, close = false) => call('files/upload_session/append_v2', { cursor: { session_id: id, offset }, close }, data.subarray(offset, end));

    expect((await append(1000, 4 * MiB + 1000)).body).toMatchObject({ error: { '.tag': 'concurrent_session_invalid_offset' } });
    expect((await append(0, 1000)).body).toMatchObject({ error: { '.tag': 'concurrent_session_invalid_data_size' } });
    expect((await append(4 * MiB, 8 * MiB)).status).toBe(200);
    expect((await call('files/upload_session/finish', { cursor: { session_id: id, offset: data.length }, commit: { path: '/cc.bin' } })).body)
      .toMatchObject({ error: { '.tag': 'concurrent_session_not_closed' } });
    expect((await append(8 * MiB, data.length, true)).status).toBe(200);
    expect((await call('files/upload_session/finish', { cursor: { session_id: id, offset: data.length }, commit: { path: '/cc.bin' } })).body)
      .toMatchObject({ error: { '.tag': 'concurrent_session_missing_data' } });
    expect((await append(0, 4 * MiB)).body).toMatchObject({ error: { '.tag': 'closed' } });
  });

  it('commits parallel appends made in any order', async () => {
    const data = patternBytes(8 * MiB + 10, 5);
    const id = await start({ session_type: 'concurrent' });
    const append = (offset: number, end: number, close = false) => call('files/upload_session/append_v2', { cursor: { session_id: id, offset }, close }, data.subarray(offset, end));
    const results = await Promise.all([append(4 * MiB, 8 * MiB), append(0, 4 * MiB)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect((await append(8 * MiB, data.length, true)).status).toBe(200);
    const withBody = await call('files/upload_session/finish', { cursor: { session_id: id, offset: data.length }, commit: { path: '/p.bin' } }, Buffer.from('x'));
    expect(withBody.body).toMatchObject({ error: { '.tag': 'concurrent_session_data_not_allowed' } });
    const done = await call('files/upload_session/finish', { cursor: { session_id: id, offset: data.length }, commit: { path: '/p.bin' } });
    expect(done.body).toMatchObject({ size: data.length, content_hash: referenceContentHash(data) });
  });
});

describe('batches', () => {
  it('finish_batch_v2 commits closed sessions and reports per-entry failures in order', async () => {
    const a = await start({ close: true }, Buffer.from('aaa'));
    const b = await start({}, Buffer.from('bb'));
    await call('files/upload_session/append_v2', { cursor: { session_id: b, offset: 2 }, close: true }, Buffer.from('b'));
    const open = await start({}, Buffer.from('o'));
    const result = await rpc(emu.url, token, 'files/upload_session/finish_batch_v2', {
      entries: [
        { cursor: { session_id: a, offset: 3 }, commit: { path: '/batch/a.txt' } },
        { cursor: { session_id: b, offset: 3 }, commit: { path: '/batch/b.txt' } },
        { cursor: { session_id: open, offset: 1 }, commit: { path: '/batch/o.txt' } },
        { cursor: { session_id: 'pid_upload_session:nope', offset: 0 }, commit: { path: '/batch/n.txt' } },
      ],
    });
    expect(result.status).toBe(200);
    const entries = (result.body as { entries: Record<string, unknown>[] }).entries;
    expect(entries[0]).toMatchObject({ '.tag': 'success', path_display: '/batch/a.txt', size: 3 });
    expect(entries[1]).toMatchObject({ '.tag': 'success', path_display: '/batch/b.txt', content_hash: referenceContentHash(Buffer.from('bbb')) });
    expect(entries[2]).toEqual({ '.tag': 'failure', failure: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_closed' } } });
    expect(entries[3]).toEqual({ '.tag': 'failure', failure: { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'not_found' } } });
  });
});

describe('the SDK uploader', () => {
  let dbx: Dropbox;
  beforeEach(async () => {
    dbx = await emu.client();
  });

  it('uploads sequentially in chunks', async () => {
    const data = patternBytes(9 * MiB + 17, 11);
    const { metadata } = await uploadFile(dbx, bytesUpload(data), { path: '/sdk/seq.bin' }, { chunkSize: 4 * MiB });
    expect(metadata).toMatchObject({ size: data.length, content_hash: referenceContentHash(data) });
  });

  it('uploads in parallel through a concurrent session', async () => {
    const data = patternBytes(13 * MiB + 5, 13);
    const { metadata } = await uploadFile(dbx, bytesUpload(data), { path: '/sdk/par.bin' }, { chunkSize: 4 * MiB, parallelUploads: 3 });
    expect(metadata).toMatchObject({ size: data.length, content_hash: referenceContentHash(data) });
  });

  it('recovers from a lost append response through incorrect_offset', async () => {
    const data = patternBytes(9 * MiB, 17);
    await emu.control.injectFault({ route: 'files/upload_session/append_v2', kind: 'lost_response', skip: 1 });
    const { metadata } = await uploadFile(dbx, bytesUpload(data), { path: '/sdk/lost.bin' }, { chunkSize: 4 * MiB, retryDelay: 1 });
    expect(metadata).toMatchObject({ size: data.length, content_hash: referenceContentHash(data) });
    expect(await (await fetch(`${emu.url}/__emulator/faults`)).json()).toEqual({ faults: [] });
  });
});
