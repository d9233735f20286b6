import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from '../../../core/storage.ts';
import { digestStream, generatedData, generatedDataDigest } from '../../../test-support/generated-data.ts';
import { rejection, sourceOf } from '../destination.conformance-support.ts';
import type { FetchLike } from './dropbox-fetch.ts';
import { APPS, MIB, retryRecorder, startTestEmulator, type TestEmulator } from './dropbox-emulator.test-support.ts';

// Conditions the emulator cannot produce on its own — Dropbox storing other bytes than were sent,
// a download whose bytes do not match their metadata, an append that landed only partly — made
// by a fetch that tampers with real exchanges with the emulator.

type Tamper = (url: URL, init: RequestInit | undefined, send: FetchLike) => Promise<Response> | undefined;

function tamperingFetch(tamper: Tamper): FetchLike {
  const send: FetchLike = (input, init) => globalThis.fetch(input, init);
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return tamper(url, init, send) ?? send(input, init);
  };
}

async function withJson(response: Response, change: (value: Record<string, unknown>) => void): Promise<Response> {
  const value = (await response.json()) as Record<string, unknown>;
  change(value);
  return new Response(JSON.stringify(value), { status: response.status, headers: response.headers });
}

const BAD_HASH = '0'.repeat(64);
let emulator: TestEmulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

describe('integrity', () => {
  it.each([
    ['files/upload', 'a simple upload', 100_000],
    ['files/upload_session/finish', 'a session upload', 9 * MIB],
  ])('a committed file whose %s result has another content hash is deleted and reported (%s)', async (route, _label, size) => {
    const fetch = tamperingFetch((url, init, send) =>
      url.pathname === `/2/${route}` ? send(url.href, init).then((r) => withJson(r, (meta) => (meta.content_hash = BAD_HASH))) : undefined,
    );
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Integrity', { fetch });
    const storage = createStorage(destination);
    const error = await rejection(storage.write('upload/bad.bin', generatedData(size), { size }));
    expect(error.code).toBe('integrity');
    expect(error.message).toContain('the file was deleted');
    expect(await storage.stat('upload/bad.bin')).toBeUndefined();
  });

  it('a download whose bytes do not match the content hash fails the stream with integrity', async () => {
    const fetch = tamperingFetch((url, init, send) => {
      if (url.pathname !== '/2/files/download') return undefined;
      return send(url.href, init).then((response) => {
        const headers = new Headers(response.headers);
        const meta = JSON.parse(headers.get('dropbox-api-result') ?? '{}') as Record<string, unknown>;
        headers.set('dropbox-api-result', JSON.stringify({ ...meta, content_hash: BAD_HASH }));
        return new Response(response.body, { status: response.status, headers });
      });
    });
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Integrity', { fetch });
    const storage = createStorage(destination);
    await storage.write('download/file.bin', generatedData(3 * MIB), { size: 3 * MIB });
    const stream = await storage.read('download/file.bin');
    expect((await rejection(buffer(stream))).code).toBe('integrity');
    // From an offset the hash cannot be checked; the size still is, so the read succeeds.
    expect((await buffer(await storage.read('download/file.bin', { offset: MIB }))).length).toBe(2 * MIB);
  });

  it('a download with one byte altered in a later 4 MiB block fails with integrity; an intact one passes', async () => {
    // The metadata is genuine; only the body differs, so only the block hashes can notice.
    const flipAt = 9 * MIB + 3;
    let tamper = true;
    const fetch = tamperingFetch((url, init, send) => {
      if (url.pathname !== '/2/files/download' || !tamper) return undefined;
      return send(url.href, init).then((response) => {
        let seen = 0;
        const flip = new TransformStream<Uint8Array, Uint8Array>({
          transform(piece, controller) {
            if (flipAt >= seen && flipAt < seen + piece.length) {
              piece = piece.slice();
              piece[flipAt - seen] = (piece[flipAt - seen] ?? 0) ^ 0x01;
            }
            seen += piece.length;
            controller.enqueue(piece);
          },
        });
        return new Response(response.body?.pipeThrough(flip) ?? null, { status: response.status, headers: response.headers });
      });
    });
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Integrity', { fetch });
    const storage = createStorage(destination);
    const size = 13 * MIB + 321;
    await storage.write('download/blocks.bin', generatedData(size, { seed: 4 }), { size });
    const error = await rejection(buffer(await storage.read('download/blocks.bin')));
    expect(error.code).toBe('integrity');
    expect(error.message).toContain('does not match its content hash');
    tamper = false;
    expect(await digestStream(await storage.read('download/blocks.bin'))).toEqual(await generatedDataDigest(size, 4));
  });

  it('a download shorter than its metadata says fails with integrity', async () => {
    const fetch = tamperingFetch((url, init, send) => {
      if (url.pathname !== '/2/files/download') return undefined;
      return send(url.href, init).then((response) => {
        const headers = new Headers(response.headers);
        const meta = JSON.parse(headers.get('dropbox-api-result') ?? '{}') as { size: number };
        headers.set('dropbox-api-result', JSON.stringify({ ...meta, size: meta.size + 10 }));
        headers.delete('content-length');
        return new Response(response.body, { status: response.status, headers });
      });
    });
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Integrity', { fetch });
    const storage = createStorage(destination);
    await storage.write('download/short.bin', sourceOf('twelve bytes'));
    expect((await rejection(buffer(await storage.read('download/short.bin')))).code).toBe('integrity');
  });
});

describe('partial appends', () => {
  it('an append that landed only partly before the connection broke is completed from correct_offset', async () => {
    // The first attempt of the second append delivers only its first 1.5 MiB (and without the
    // per-request hash, which covers the whole chunk); then the connection "breaks".
    let appends = 0;
    const fetch = tamperingFetch((url, init, send) => {
      if (url.pathname !== '/2/files/upload_session/append_v2' || (appends += 1) !== 2) return undefined;
      return (async () => {
        const body = await new Response(init?.body ?? null).arrayBuffer();
        const headers = new Headers(init?.headers);
        const arg = JSON.parse(headers.get('dropbox-api-arg') ?? '{}') as Record<string, unknown>;
        delete arg.content_hash;
        headers.set('dropbox-api-arg', JSON.stringify(arg));
        headers.set('content-length', String(1.5 * MIB));
        await send(url.href, { method: 'POST', headers, body: new Uint8Array(body, 0, 1.5 * MIB) });
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
      })();
    });
    const recorder = retryRecorder();
    const { destination } = await emulator.destination(APPS.fullDropbox, '/Integrity', { fetch, sleep: recorder.sleep, logger: recorder.logger });
    const storage = createStorage(destination);
    const size = 17 * MIB + 5;
    const stored = await storage.write('partial/file.bin', generatedData(size, { seed: 9 }), { size });
    const expected = await generatedDataDigest(size, 9);
    expect(stored.contentHash).toBe(expected.contentHash);
    expect(await digestStream(await storage.read('partial/file.bin'))).toEqual(expected);
    expect(recorder.logs.map((line) => line.fields?.reconciled)).toContain('correct_offset');
    expect(appends).toBeGreaterThanOrEqual(5);
  });
});
