import { expect, it } from 'vitest';
import { contentHashOf } from '../../core/content-hash.ts';
import { listKeys, rejection, sourceOf, type ConformanceContext } from './destination.conformance-support.ts';

/**
 * Conformance of the optional capabilities; each test is skipped when the destination lacks the
 * capability. Part of `describeDestinationConformance`.
 */
export function describeCapabilityConformance({ storage, key, options }: ConformanceContext): void {
  it('contentHash: equals our Dropbox content hash; not_found when missing', async (ctx) => {
    const contentHash = storage().capabilities.contentHash;
    if (!contentHash) return ctx.skip('no contentHash capability');
    const data = Buffer.from('hash me, please');
    await storage().write(key('hash/file.txt'), sourceOf(data));
    expect(await contentHash(key('hash/file.txt'))).toBe(contentHashOf(data));
    await storage().write(key('hash/empty.txt'), sourceOf(''));
    expect(await contentHash(key('hash/empty.txt'))).toBe(contentHashOf(new Uint8Array()));
    expect((await rejection(contentHash(key('hash/missing.txt')))).code).toBe('not_found');
    expect((await rejection(contentHash('../escape'))).code).toBe('invalid_input');
  });

  it('usage: reports plausible byte counts', async (ctx) => {
    const usage = storage().capabilities.usage;
    if (!usage) return ctx.skip('no usage capability');
    const report = await usage();
    expect(Number.isSafeInteger(report.used) && report.used >= 0).toBe(true);
    if (report.allocated !== undefined) expect(report.allocated).toBeGreaterThanOrEqual(report.used);
  });

  it('browseFolders: one level of folders only, sorted case-insensitively', async (ctx) => {
    const browseFolders = storage().capabilities.browseFolders;
    if (!browseFolders) return ctx.skip('no browseFolders capability');
    for (const name of ['browse/Gamma/z.txt', 'browse/alpha/y.txt', 'browse/Beta/deeper/x.txt', 'browse/file.txt']) {
      await storage().write(key(name), sourceOf(name));
    }
    const pathOf = options.browsePathOf;
    const listing = await browseFolders(pathOf(key('browse')));
    expect(listing.path).toBe(pathOf(key('browse')));
    expect(listing.folders).toEqual([
      { name: 'alpha', path: pathOf(key('browse/alpha')) },
      { name: 'Beta', path: pathOf(key('browse/Beta')) },
      { name: 'Gamma', path: pathOf(key('browse/Gamma')) },
    ]);
    const deeper = await browseFolders(pathOf(key('browse/Beta')));
    expect(deeper.folders.map((folder) => folder.name)).toEqual(['deeper']);
    expect((await browseFolders('')).path).toBe('');
  });

  it('testConnection: succeeds and leaves no probe file behind', async (ctx) => {
    const testConnection = storage().capabilities.testConnection;
    if (!testConnection) return ctx.skip('no testConnection capability');
    const before = await listKeys(storage(), '');
    const report = await testConnection();
    expect(report.writeDelete).toBe('ok');
    expect(typeof report.folder.path).toBe('string');
    expect(await listKeys(storage(), '')).toEqual(before);
  });
}
