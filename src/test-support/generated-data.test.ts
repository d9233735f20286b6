import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { contentHashOf } from '../core/content-hash.ts';
import { digestStream, generatedBytes, generatedData, generatedDataDigest } from './generated-data.ts';

describe('generatedData', () => {
  it('is deterministic per seed and independent of the chunk size', async () => {
    const a = await buffer(generatedData(100_003, { seed: 7, chunkSize: 4096 }));
    const b = await buffer(generatedData(100_003, { seed: 7, chunkSize: 65_536 }));
    const other = await buffer(generatedData(100_003, { seed: 8 }));
    expect(a.length).toBe(100_003);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(other)).toBe(false);
    expect(generatedBytes(100_003, 7).equals(a)).toBe(true);
    expect(generatedBytes(1000, 7).equals(a.subarray(0, 1000))).toBe(true);
  });

  it('looks random (does not compress, uses all byte values)', async () => {
    const data = await buffer(generatedData(1 << 20));
    expect(new Set(data).size).toBe(256);
    const { gzipSync } = await import('node:zlib');
    expect(gzipSync(data).length).toBeGreaterThan(data.length);
  });

  it('streams in chunks, never as one buffer', async () => {
    const sizes: number[] = [];
    for await (const chunk of generatedData(300_000, { chunkSize: 65_536 })) sizes.push((chunk as Buffer).length);
    expect(sizes).toEqual([65_536, 65_536, 65_536, 65_536, 37_856]);
  });

  it('fails after exactly failAfter bytes were read', async () => {
    let received = 0;
    const reading = (async () => {
      for await (const chunk of generatedData(1_000_000, { failAfter: 100_000 })) received += (chunk as Buffer).length;
    })();
    await expect(reading).rejects.toThrow(/broke after 100000 bytes/);
    expect(received).toBe(100_000);
  });

  it('stalls after stallAfter bytes and tells the test', async () => {
    const source = generatedData(1_000_000, { stallAfter: 70_000, onStall: () => source.destroy(new Error('stalled')) });
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of source) received += (chunk as Buffer).length;
      })(),
    ).rejects.toThrow('stalled');
    expect(received).toBe(70_000);
  });
});

describe('digestStream', () => {
  it('reports size, SHA-256 and Dropbox content hash of what streamed', async () => {
    const data = generatedBytes(5 * 1024 * 1024 + 17, 3);
    const digest = await digestStream(generatedData(data.length, { seed: 3 }));
    expect(digest).toEqual({
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      contentHash: contentHashOf(data),
    });
    expect(await generatedDataDigest(data.length, 3)).toEqual(digest);
  });
});
