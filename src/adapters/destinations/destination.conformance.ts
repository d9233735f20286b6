import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHashOf } from '../../core/content-hash.ts';
import { createStorage } from '../../core/storage.ts';
import { joinKey } from '../../core/storage-key.ts';
import type { Destination } from '../../ports/destination.port.ts';
import { digestStream, generatedBytes, generatedData, generatedDataDigest } from '../../test-support/generated-data.ts';
import { describeCapabilityConformance } from './destination.conformance-capabilities.ts';
import { describeFailureConformance } from './destination.conformance-failures.ts';
import {
  listKeys,
  readAll,
  rejection,
  sourceOf,
  type ConformanceContext,
  type DestinationConformanceOptions,
} from './destination.conformance-support.ts';

export type { DestinationConformanceOptions } from './destination.conformance-support.ts';

export interface DestinationUnderTest {
  destination: Destination;
  cleanup(): Promise<void>;
}

/**
 * The conformance suite every destination runs (local temp dir, Dropbox via the emulator). It goes
 * through the storage facade (`createStorage`), as the product does, and keeps all its files in a
 * fresh `conformance-<random>` folder. `setup` runs once before the tests, `cleanup` once after.
 */
export function describeDestinationConformance(
  name: string,
  setup: () => Promise<DestinationUnderTest>,
  options: DestinationConformanceOptions = {},
): void {
  describe(`${name} destination conformance`, () => {
    let underTest: DestinationUnderTest | undefined;
    let storage: Destination | undefined;
    const root = `conformance-${randomBytes(4).toString('hex')}`;
    const context: ConformanceContext = {
      storage: () => {
        if (!storage) throw new Error('conformance setup did not finish');
        return storage;
      },
      key: (...parts) => joinKey(root, ...parts),
      options: {
        largeFileBytes: options.largeFileBytes ?? 20 * 1024 * 1024,
        pageSizeHint: options.pageSizeHint ?? 0,
        caseInsensitive: options.caseInsensitive ?? false,
        browsePathOf: options.browsePathOf ?? ((folder) => `/${folder}`),
      },
    };

    beforeAll(async () => {
      underTest = await setup();
      storage = createStorage(underTest.destination);
    });
    afterAll(async () => {
      await underTest?.cleanup();
    });

    describeRoundTrips(context);
    describeListing(context);
    describeFailureConformance(context);
    describeCapabilityConformance(context);
  });
}

function describeRoundTrips({ storage, key, options }: ConformanceContext): void {
  it('has a kind', () => {
    expect(storage().kind).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('round-trips a small file byte for byte, with and without size', async () => {
    const data = Buffer.from('-- dump\nINSERT INTO t VALUES (1);\n');
    const withSize = await storage().write(key('small/with-size.sql'), sourceOf(data), { size: data.length });
    const withoutSize = await storage().write(key('small/without-size.sql'), sourceOf(data));
    expect(withSize).toMatchObject({ key: key('small/with-size.sql'), size: data.length });
    expect(withoutSize).toMatchObject({ key: key('small/without-size.sql'), size: data.length });
    expect(await readAll(storage(), key('small/with-size.sql'))).toEqual(data);
    expect(await readAll(storage(), key('small/without-size.sql'))).toEqual(data);
  });

  it('round-trips an empty file', async () => {
    const stored = await storage().write(key('empty/zero.bin'), sourceOf(''), { size: 0 });
    expect(stored.size).toBe(0);
    expect((await readAll(storage(), key('empty/zero.bin'))).length).toBe(0);
    expect((await storage().stat(key('empty/zero.bin')))?.size).toBe(0);
    expect(await listKeys(storage(), key('empty'))).toEqual([key('empty/zero.bin')]);
  });

  it('round-trips a large multi-chunk file streamed in bounded memory, verified by hash', async () => {
    const size = options.largeFileBytes;
    const expected = await generatedDataDigest(size, 11);
    const progress: number[] = [];
    const stored = await storage().write(key('large/big.bin'), generatedData(size, { seed: 11 }), {
      size,
      onProgress: (bytes) => progress.push(bytes),
    });
    expect(stored).toMatchObject({ key: key('large/big.bin'), size });
    expect(progress.at(-1)).toBe(size);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(await digestStream(await storage().read(key('large/big.bin')))).toEqual(expected);
    const stat = await storage().stat(key('large/big.bin'));
    expect(stat?.size).toBe(size);
    if (stat?.contentHash !== undefined) expect(stat.contentHash).toBe(expected.contentHash);
    const contentHash = storage().capabilities.contentHash;
    if (contentHash) expect(await contentHash(key('large/big.bin'))).toBe(expected.contentHash);
  });

  it('replaces a file on overwrite, also with shorter content', async () => {
    await storage().write(key('overwrite/file.txt'), sourceOf('the first, longer content'));
    const stored = await storage().write(key('overwrite/file.txt'), sourceOf('short'));
    expect(stored.size).toBe(5);
    expect((await readAll(storage(), key('overwrite/file.txt'))).toString()).toBe('short');
    expect(await listKeys(storage(), key('overwrite'))).toEqual([key('overwrite/file.txt')]);
  });

  it('reads from an offset, reporting progress', async () => {
    const data = generatedBytes(300_001, 5);
    await storage().write(key('offset/file.bin'), sourceOf(data), { size: data.length });
    const progress: number[] = [];
    const stream = await storage().read(key('offset/file.bin'), { offset: 123_457, onProgress: (b) => progress.push(b) });
    expect((await buffer(stream)).equals(data.subarray(123_457))).toBe(true);
    expect(progress.at(-1)).toBe(data.length - 123_457);
    expect((await buffer(await storage().read(key('offset/file.bin'), { offset: 0 }))).equals(data)).toBe(true);
  });

  it('rejects reading a missing file with not_found', async () => {
    expect((await rejection(storage().read(key('missing/file.sql')))).code).toBe('not_found');
    expect((await rejection(storage().readText(key('missing/file.meta.json')))).code).toBe('not_found');
  });

  it('stats files: size, a recent modification time, content hash when known; undefined when missing', async () => {
    const data = Buffer.from('stat me');
    await storage().write(key('stat/file.txt'), sourceOf(data));
    const stat = await storage().stat(key('stat/file.txt'));
    expect(stat).toMatchObject({ key: key('stat/file.txt'), size: data.length });
    expect(stat?.modifiedAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (stat?.modifiedAt.getTime() ?? 0))).toBeLessThan(24 * 3600 * 1000);
    if (stat?.contentHash !== undefined) expect(stat.contentHash).toBe(contentHashOf(data));
    expect(await storage().stat(key('stat/missing.txt'))).toBeUndefined();
    expect(await storage().stat(key('no-such-folder/missing.txt'))).toBeUndefined();
    expect(await storage().stat(key('stat'))).toBeUndefined(); // a folder is not a file
  });

  it('reads small text files as UTF-8 and refuses ones above maxBytes with too_large', async () => {
    const json = '{"job":"jöb ✓ 名前"}';
    await storage().write(key('text/a.meta.json'), sourceOf(json));
    expect(await storage().readText(key('text/a.meta.json'))).toBe(json);
    await storage().write(key('text/big.txt'), sourceOf('x'.repeat(2000)));
    expect((await rejection(storage().readText(key('text/big.txt'), { maxBytes: 1000 }))).code).toBe('too_large');
    expect(await storage().readText(key('text/big.txt'), { maxBytes: 2000 })).toBe('x'.repeat(2000));
    await storage().write(key('text/default-limit.txt'), sourceOf(Buffer.alloc(1024 * 1024 + 1, 0x61)));
    expect((await rejection(storage().readText(key('text/default-limit.txt')))).code).toBe('too_large');
  });

  it('keeps non-ASCII names intact', async () => {
    const name = key('jöb-名前/backup_ü.sql');
    await storage().write(name, sourceOf('ü'));
    expect((await readAll(storage(), name)).toString()).toBe('ü');
    expect((await storage().stat(name))?.key).toBe(name);
    expect(await listKeys(storage(), key('jöb-名前'))).toEqual([name]);
  });

  it.runIf(options.caseInsensitive)('looks keys up case-insensitively', async () => {
    await storage().write(key('Case/File.TXT'), sourceOf('first'));
    expect((await storage().stat(key('case/file.txt')))?.size).toBe(5);
    expect((await readAll(storage(), key('CASE/file.txt'))).toString()).toBe('first');
    await storage().write(key('case/file.txt'), sourceOf('second'));
    expect(await listKeys(storage(), key('case'))).toHaveLength(1);
    expect((await readAll(storage(), key('Case/File.TXT'))).toString()).toBe('second');
    await storage().delete(key('cAsE/fIlE.txt'));
    expect(await storage().stat(key('Case/File.TXT'))).toBeUndefined();
  });
}

function describeListing({ storage, key, options }: ConformanceContext): void {
  it('lists recursively below a folder prefix, not a string prefix', async () => {
    const files = { 'tree/a.txt': 'a', 'tree/sub/b.txt': 'bb', 'tree/sub/deeper/c.txt': 'ccc', 'tree-sibling/d.txt': 'd' };
    for (const [name, content] of Object.entries(files)) await storage().write(key(name), sourceOf(content));
    const listed = [];
    for await (const file of storage().list(key('tree'))) listed.push({ key: file.key, size: file.size });
    expect(listed.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: key('tree/a.txt'), size: 1 },
      { key: key('tree/sub/b.txt'), size: 2 },
      { key: key('tree/sub/deeper/c.txt'), size: 3 },
    ]);
    expect(await listKeys(storage(), `${key('tree')}/`)).toEqual(listed.map((f) => f.key));
    expect(await listKeys(storage(), key('tree/sub'))).toEqual([key('tree/sub/b.txt'), key('tree/sub/deeper/c.txt')]);
    const everything = await listKeys(storage(), '');
    expect(everything).toEqual(expect.arrayContaining(Object.keys(files).map((name) => key(name))));
  });

  it('lists nothing for a missing prefix', async () => {
    expect(await listKeys(storage(), key('never-written'))).toEqual([]);
  });

  it.runIf(options.pageSizeHint > 0)('lists beyond one page', async () => {
    const count = options.pageSizeHint * 2 + 1;
    const expected: string[] = [];
    for (let i = 0; i < count; i++) {
      expected.push(key(`pages/file-${String(i).padStart(4, '0')}.txt`));
      await storage().write(expected[i]!, sourceOf(`file ${i}`));
    }
    expect(await listKeys(storage(), key('pages'))).toEqual(expected);
  });

  it('deletes files; deleting a missing file succeeds', async () => {
    await storage().write(key('delete/gone.txt'), sourceOf('gone'));
    await storage().write(key('delete/kept.txt'), sourceOf('kept'));
    await storage().delete(key('delete/gone.txt'));
    expect(await storage().stat(key('delete/gone.txt'))).toBeUndefined();
    expect(await listKeys(storage(), key('delete'))).toEqual([key('delete/kept.txt')]);
    await storage().delete(key('delete/gone.txt'));
    await storage().delete(key('never/existed.txt'));
    expect((await readAll(storage(), key('delete/kept.txt'))).toString()).toBe('kept');
  });
}
