import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { generatedData } from '../../test-support/generated-data.ts';
import { listKeys, readAll, rejection, sourceOf, type ConformanceContext } from './destination.conformance-support.ts';

/**
 * Conformance: bad keys never reach the adapter, and a write that fails or is aborted midway leaves
 * nothing behind (or the previous version when it was an overwrite). Part of
 * `describeDestinationConformance`.
 */
export function describeFailureConformance({ storage, key, options }: ConformanceContext): void {
  // Half the large file, a multiple of 4 so the generator's chunks stay aligned.
  const half = Math.floor(options.largeFileBytes / 8) * 4;

  async function expectNothingAt(folder: string, name: string): Promise<void> {
    expect(await storage().stat(key(folder, name))).toBeUndefined();
    expect(await listKeys(storage(), key(folder))).toEqual([]);
  }

  it('rejects invalid keys and prefixes with invalid_input before touching anything', async () => {
    for (const bad of ['../x', '/abs', '', 'a//b', 'a\\b']) {
      let pulled = false;
      const source = new Readable({
        read() {
          pulled = true;
          this.push(null);
        },
      });
      const attempts = [
        storage().write(bad, source),
        storage().read(bad),
        storage().stat(bad),
        storage().delete(bad),
        storage().readText(bad),
      ];
      for (const attempt of attempts) expect((await rejection(attempt)).code).toBe('invalid_input');
      expect(pulled).toBe(false);
    }
    for (const prefix of ['../x', '/abs']) expect((await rejection(listKeys(storage(), prefix))).code).toBe('invalid_input');
  });

  it.each([
    ['without size', undefined],
    ['with size', 'size'],
  ])('leaves no file when the source fails midway (%s)', async (_label, withSize) => {
    const folder = `fail-midway-${withSize ?? 'nosize'}`;
    const size = options.largeFileBytes;
    const source = generatedData(size, { seed: 21, failAfter: half });
    const error = await rejection(storage().write(key(folder, 'backup.bin'), source, withSize ? { size } : {}));
    expect(error.code).not.toBe('invalid_input');
    await expectNothingAt(folder, 'backup.bin');
  });

  it('keeps the previous version when an overwrite fails midway', async () => {
    await storage().write(key('fail-overwrite/backup.bin'), sourceOf('previous version'));
    const source = generatedData(256 * 1024, { failAfter: 100_000 });
    await rejection(storage().write(key('fail-overwrite/backup.bin'), source));
    expect((await readAll(storage(), key('fail-overwrite/backup.bin'))).toString()).toBe('previous version');
    expect(await listKeys(storage(), key('fail-overwrite'))).toEqual([key('fail-overwrite/backup.bin')]);
  });

  it.each([
    ['early, without size', 64 * 1024, false],
    ['midway, with size', half, true],
  ])('rejects an aborted write with cancelled and leaves no file (%s)', async (_label, stallAfter, withSize) => {
    const folder = `abort-${stallAfter}`;
    const size = options.largeFileBytes;
    const controller = new AbortController();
    const source = generatedData(size, { stallAfter, onStall: () => setImmediate(() => controller.abort()) });
    const writing = storage().write(key(folder, 'backup.bin'), source, {
      signal: controller.signal,
      ...(withSize ? { size } : {}),
    });
    expect((await rejection(writing)).code).toBe('cancelled');
    await expectNothingAt(folder, 'backup.bin');
  });

  it('refuses to start a write whose signal already fired', async () => {
    let pulled = false;
    const source = new Readable({
      read() {
        pulled = true;
        this.push(null);
      },
    });
    const error = await rejection(storage().write(key('pre-aborted/a.txt'), source, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('cancelled');
    expect(pulled).toBe(false);
    await expectNothingAt('pre-aborted', 'a.txt');
  });

  it('stops a read with cancelled when its signal fires', async () => {
    await storage().write(key('abort-read/file.bin'), generatedData(2 * 1024 * 1024), { size: 2 * 1024 * 1024 });
    const controller = new AbortController();
    const stream = await storage().read(key('abort-read/file.bin'), { signal: controller.signal });
    let received = 0;
    const reading = (async () => {
      for await (const chunk of stream) {
        received += (chunk as Buffer).length;
        controller.abort();
      }
    })();
    expect((await rejection(reading)).code).toBe('cancelled');
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(2 * 1024 * 1024);
  });
}
