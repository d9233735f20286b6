import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { Destination, StoredFile } from '../ports/destination.port.ts';
import { DBackupError } from './errors.ts';
import { createStorage } from './storage.ts';

/** A destination that records the calls it receives and fails the way each test tells it to. */
function recordingDestination(behaviour: { fail?: unknown; readStream?: () => Readable } = {}) {
  const calls: string[] = [];
  const act = async <T>(call: string, result: T): Promise<T> => {
    calls.push(call);
    if (behaviour.fail !== undefined) throw behaviour.fail;
    return result;
  };
  const file = (key: string): StoredFile => ({ key, size: 1, modifiedAt: new Date(0) });
  const destination: Destination = {
    kind: 'fake',
    write: (key) => act(`write ${key}`, file(key)),
    read: (key) => act(`read ${key}`, behaviour.readStream?.() ?? Readable.from([Buffer.from('x')])),
    stat: (key) => act(`stat ${key}`, file(key)),
    async *list(prefix) {
      yield await act(`list ${prefix}`, file(`${prefix}/a`));
    },
    delete: (key) => act(`delete ${key}`, undefined),
    readText: (key) => act(`readText ${key}`, 'text'),
    capabilities: {
      contentHash: (key) => act(`contentHash ${key}`, 'hash'),
      browseFolders: (folder) => act(`browseFolders ${folder}`, { path: folder, folders: [] }),
      testConnection: () => act('testConnection', { folder: { path: '/', created: false }, writeDelete: 'ok' as const }),
    },
  };
  return { destination, calls };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<DBackupError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(error instanceof DBackupError)) throw error;
  return error;
}

describe('createStorage', () => {
  it('rejects invalid keys, prefixes and folders before the adapter is called', async () => {
    const { destination, calls } = recordingDestination();
    const storage = createStorage(destination);
    const source = Readable.from(['never read']);
    const rejected = [
      storage.write('../x', source),
      storage.read('/abs'),
      storage.stat(''),
      storage.delete('a//b'),
      storage.readText('C:/x'),
      collect(storage.list('/abs')),
      collect(storage.list('../up')),
      storage.capabilities.contentHash!('a\\b'),
      storage.capabilities.browseFolders!('/a/../b'),
      storage.read('ok', { offset: -1 }),
      storage.write('ok', source, { size: 1.5 }),
      storage.readText('ok', { maxBytes: Number.NaN }),
    ];
    for (const promise of rejected) expect((await errorOf(promise)).code).toBe('invalid_input');
    expect(calls).toEqual([]);
    expect(source.readableFlowing).toBeNull();
  });

  it('passes valid arguments through, normalising prefixes and browse folders', async () => {
    const { destination, calls } = recordingDestination();
    const storage = createStorage(destination);
    await storage.stat('job/a.sql');
    await collect(storage.list(''));
    await collect(storage.list('job/'));
    await storage.capabilities.browseFolders!('backups/db/');
    await storage.capabilities.browseFolders!('/');
    expect(calls).toEqual(['stat job/a.sql', 'list ', 'list job', 'browseFolders /backups/db', 'browseFolders ']);
  });

  it('passes DBackupErrors through unchanged', async () => {
    const original = new DBackupError('quota_exceeded', 'Disk full.');
    const storage = createStorage(recordingDestination({ fail: original }).destination);
    expect(await errorOf(storage.stat('a'))).toBe(original);
    expect(await errorOf(collect(storage.list('a')))).toBe(original);
  });

  it('rewraps other failures as internal, keeping the original as cause', async () => {
    const original = new TypeError('undefined is not a function');
    const storage = createStorage(recordingDestination({ fail: original }).destination);
    const error = await errorOf(storage.delete('job/a.sql'));
    expect(error.code).toBe('internal');
    expect(error.retryable).toBe(false);
    expect(error.cause).toBe(original);
    expect(error.message).toContain('"job/a.sql"');
    expect(error.message).toContain('fake destination');
    const listError = await errorOf(collect(storage.list('job')));
    expect(listError.code).toBe('internal');
    expect(listError.cause).toBe(original);
  });

  it('rewraps network failures (also nested in cause, as fetch does) as retryable transient', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const fetchFailure = new TypeError('fetch failed', { cause: reset });
    const storage = createStorage(recordingDestination({ fail: fetchFailure }).destination);
    const error = await errorOf(storage.readText('job/a.meta.json'));
    expect(error.code).toBe('transient');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(fetchFailure);
    expect(error.message).toContain('ECONNRESET');
  });

  it('reports a failure after the signal fired as cancelled, and refuses to start when already aborted', async () => {
    const controller = new AbortController();
    const { destination, calls } = recordingDestination({ fail: new Error('aborted somewhere inside') });
    const storage = createStorage(destination);
    controller.abort();
    expect((await errorOf(storage.stat('a', { signal: controller.signal }))).code).toBe('cancelled');
    expect(calls).toEqual([]);
  });

  it('rewraps errors a read stream emits later', async () => {
    const broken = new Error('disk read error');
    const source = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(broken);
      },
    });
    const storage = createStorage(recordingDestination({ readStream: () => source }).destination);
    const stream = await storage.read('job/a.sql');
    const error = await errorOf(buffer(stream));
    expect(error.code).toBe('internal');
    expect(error.cause).toBe(broken);
  });

  it('stops a read stream with cancelled when the signal fires, and releases the adapter stream', async () => {
    const source = new Readable({ read() { /* stalls: an adapter waiting on a slow network */ } });
    source.push(Buffer.from('first chunk'));
    const storage = createStorage(recordingDestination({ readStream: () => source }).destination);
    const controller = new AbortController();
    const stream = await storage.read('job/a.sql', { signal: controller.signal });
    const reading = errorOf(buffer(stream));
    controller.abort();
    expect((await reading).code).toBe('cancelled');
    expect(source.destroyed).toBe(true);
  });

  it('delivers a read stream byte for byte', async () => {
    const chunks = [Buffer.from('hello '), Buffer.from('world')];
    const storage = createStorage(recordingDestination({ readStream: () => Readable.from(chunks) }).destination);
    expect((await buffer(await storage.read('a'))).toString()).toBe('hello world');
  });

  it('keeps absent capabilities absent', () => {
    const { destination } = recordingDestination();
    const storage = createStorage({ ...destination, capabilities: { contentHash: destination.capabilities.contentHash! } });
    expect(Object.keys(storage.capabilities)).toEqual(['contentHash']);
  });
});
