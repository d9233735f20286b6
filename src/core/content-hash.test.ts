import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CONTENT_HASH_BLOCK_SIZE, ContentHasher, HashingPassThrough, contentHashOf } from './content-hash.ts';

function referenceHash(data: Buffer): string {
  const digests: Buffer[] = [];
  for (let i = 0; i < data.length; i += CONTENT_HASH_BLOCK_SIZE) {
    digests.push(createHash('sha256').update(data.subarray(i, i + CONTENT_HASH_BLOCK_SIZE)).digest());
  }
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}

describe('Dropbox content hash', () => {
  it('hashes the empty input as SHA-256 of nothing', () => {
    expect(contentHashOf(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is a hash of block hashes, not the plain SHA-256, even for one block', () => {
    const data = Buffer.from('hello');
    expect(contentHashOf(data)).not.toBe(createHash('sha256').update(data).digest('hex'));
    expect(contentHashOf(data)).toBe(referenceHash(data));
  });

  it('gives the same result whatever the update sizes, across block boundaries', () => {
    const data = Buffer.alloc(CONTENT_HASH_BLOCK_SIZE * 2 + 12345);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const hasher = new ContentHasher();
    for (let i = 0; i < data.length; i += 999_983) hasher.update(data.subarray(i, i + 999_983));
    expect(hasher.digest()).toBe(referenceHash(data));
  });

  it('hashes what streams through a HashingPassThrough', async () => {
    const data = Buffer.alloc(CONTENT_HASH_BLOCK_SIZE + 7, 7);
    const hashing = new HashingPassThrough();
    await pipeline(Readable.from([data.subarray(0, 100), data.subarray(100)]), hashing, new Writable({ write: (_c, _e, cb) => cb() }));
    expect(hashing.result).toEqual({
      contentHash: referenceHash(data),
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data.length,
    });
  });
});
