import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { contentHashOf } from '../../../core/content-hash.ts';
import { generatedBytes } from '../../../test-support/generated-data.ts';
import { ChunkReader } from './dropbox-chunks.ts';

const MIB = 1024 * 1024;

async function readAllChunks(data: Buffer, chunkSize: number, pieces = 100_000): Promise<{ sizes: number[]; finals: boolean[]; hashes: string[]; fileHash: string; copies: Buffer[] }> {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += pieces) parts.push(data.subarray(at, at + pieces));
  const reader = new ChunkReader(Readable.from(parts, { objectMode: false }), chunkSize);
  const result = { sizes: [] as number[], finals: [] as boolean[], hashes: [] as string[], fileHash: '', copies: [] as Buffer[] };
  for (;;) {
    const chunk = await reader.next();
    result.sizes.push(chunk.bytes.length);
    result.finals.push(chunk.final);
    result.hashes.push(chunk.hash);
    result.copies.push(Buffer.from(chunk.bytes));
    expect(chunk.hash).toBe(contentHashOf(chunk.bytes));
    if (chunk.final) break;
  }
  result.fileHash = reader.fileHash();
  expect(reader.bytesRead).toBe(data.length);
  return result;
}

describe('ChunkReader', () => {
  it('cuts a stream into chunk-size pieces, the last one marked final, hashing as it goes', async () => {
    const data = generatedBytes(10 * MIB + 12345, 3);
    const { sizes, finals, fileHash, copies } = await readAllChunks(data, 4 * MIB);
    expect(sizes).toEqual([4 * MIB, 4 * MIB, 2 * MIB + 12345]);
    expect(finals).toEqual([false, false, true]);
    expect(fileHash).toBe(contentHashOf(data));
    expect(Buffer.concat(copies).equals(data)).toBe(true);
  });

  it('ends with an empty final chunk when the size is an exact multiple', async () => {
    const data = generatedBytes(8 * MIB, 4);
    const { sizes, finals, fileHash } = await readAllChunks(data, 4 * MIB);
    expect(sizes).toEqual([4 * MIB, 4 * MIB, 0]);
    expect(finals).toEqual([false, false, true]);
    expect(fileHash).toBe(contentHashOf(data));
  });

  it('handles an empty stream and a stream smaller than one chunk', async () => {
    expect((await readAllChunks(Buffer.alloc(0), 4 * MIB)).sizes).toEqual([0]);
    const small = await readAllChunks(Buffer.from('hello'), 4 * MIB);
    expect(small).toMatchObject({ sizes: [5], finals: [true], fileHash: contentHashOf(Buffer.from('hello')) });
  });

  it('uses two buffers alternately, so memory stays at two chunks', async () => {
    const data = generatedBytes(12 * MIB + 1, 5);
    const reader = new ChunkReader(Readable.from([data], { objectMode: false }), 4 * MIB);
    const backing = new Set<ArrayBuffer>();
    for (let chunk = await reader.next(); ; chunk = await reader.next()) {
      backing.add(chunk.bytes.buffer as ArrayBuffer);
      if (chunk.final) break;
    }
    expect(backing.size).toBe(2);
  });

  it('refuses chunk sizes that are not multiples of 4 MiB', () => {
    expect(() => new ChunkReader(Readable.from([]), 5 * MIB)).toThrow(RangeError);
  });
  it('takes block digests it is given instead of hashing, and hashes the blocks it is not given', async () => {
    const data = generatedBytes(12 * MIB + 99, 8);
    const blockDigest = (index: number) => createHash('sha256').update(data.subarray(index * 4 * MIB, (index + 1) * 4 * MIB)).digest();
    // Block 1's given digest is deliberately wrong, so the hashes show which digests were used.
    const wrong = Buffer.alloc(32, 0xab);
    const given = { digest: (index: number) => (index === 1 ? wrong : index === 3 ? blockDigest(3) : undefined) };
    const reader = new ChunkReader(Readable.from([data]), 8 * MIB, given);
    const first = await reader.next();
    const second = await reader.next();
    expect(second.final).toBe(true);
    const combine = (digests: Buffer[]) => createHash('sha256').update(Buffer.concat(digests)).digest('hex');
    expect(first.hash).toBe(combine([blockDigest(0), wrong]));
    expect(second.hash).toBe(combine([blockDigest(2), blockDigest(3)]));
    expect(second.hash).toBe(contentHashOf(second.bytes));
    expect(reader.fileHash()).toBe(combine([blockDigest(0), wrong, blockDigest(2), blockDigest(3)]));
  });
});
