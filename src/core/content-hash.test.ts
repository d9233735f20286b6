import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generatedBytes, xorshift32 } from '../test-support/generated-data.ts';
import { AsyncContentHasher, CONTENT_HASH_BLOCK_SIZE, ContentHasher, HashingPassThrough, RecentBlockDigests, Sha256PassThrough, contentHashOf } from './content-hash.ts';

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

  it('extends a hash with another hasher\'s bytes without hashing them again', () => {
    const data = generatedBytes(CONTENT_HASH_BLOCK_SIZE * 3 + 4321, 7);
    const session = new ContentHasher().update(data.subarray(0, CONTENT_HASH_BLOCK_SIZE));
    // The second request ends inside a block, is digested on its own first, then taken over.
    const request = new ContentHasher({ keepBlockDigests: true }).update(data.subarray(CONTENT_HASH_BLOCK_SIZE, CONTENT_HASH_BLOCK_SIZE * 2 + 99));
    expect(request.digest()).toBe(referenceHash(data.subarray(CONTENT_HASH_BLOCK_SIZE, CONTENT_HASH_BLOCK_SIZE * 2 + 99)));
    session.extend(request);
    expect(session.atBlockBoundary).toBe(false);
    session.update(data.subarray(CONTENT_HASH_BLOCK_SIZE * 2 + 99));
    expect(session.digest()).toBe(referenceHash(data));
  });

  it('extends only at a block boundary and only with a hasher that kept its block digests', () => {
    const request = new ContentHasher({ keepBlockDigests: true }).update(Buffer.alloc(10));
    expect(() => new ContentHasher().update(Buffer.alloc(1)).extend(request)).toThrow(/block boundary/);
    expect(() => new ContentHasher().extend(new ContentHasher())).toThrow(/keepBlockDigests/);
    const whole = new ContentHasher().update(Buffer.alloc(CONTENT_HASH_BLOCK_SIZE, 1)).extend(request);
    expect(whole.digest()).toBe(referenceHash(Buffer.concat([Buffer.alloc(CONTENT_HASH_BLOCK_SIZE, 1), Buffer.alloc(10)])));
  });

  it('reports each block\'s digest as soon as its last byte is hashed, and the shorter last one at digest()', () => {
    const data = generatedBytes(CONTENT_HASH_BLOCK_SIZE * 2 + 5, 9);
    const reported: [number, string][] = [];
    const hasher = new ContentHasher({ onBlockDigest: (index, digest) => reported.push([index, digest.toString('hex')]) });
    const sha = (from: number, to: number) => createHash('sha256').update(data.subarray(from, to)).digest('hex');
    hasher.update(data.subarray(0, CONTENT_HASH_BLOCK_SIZE - 1));
    expect(reported).toEqual([]);
    hasher.update(data.subarray(CONTENT_HASH_BLOCK_SIZE - 1, CONTENT_HASH_BLOCK_SIZE)); // the block's last byte, nothing after it
    expect(reported).toEqual([[0, sha(0, CONTENT_HASH_BLOCK_SIZE)]]);
    expect(hasher.atBlockBoundary).toBe(true);
    hasher.update(data.subarray(CONTENT_HASH_BLOCK_SIZE)); // ends one block and 5 bytes into the next
    expect(reported).toHaveLength(2);
    expect(hasher.digest()).toBe(referenceHash(data));
    expect(reported).toEqual([
      [0, sha(0, CONTENT_HASH_BLOCK_SIZE)],
      [1, sha(CONTENT_HASH_BLOCK_SIZE, 2 * CONTENT_HASH_BLOCK_SIZE)],
      [2, sha(2 * CONTENT_HASH_BLOCK_SIZE, data.length)],
    ]);
  });

  it('keeps only the most recent block digests', () => {
    const recent = new RecentBlockDigests(3);
    for (let index = 0; index < 5; index++) recent.record(index, Buffer.from([index]));
    expect([0, 1, 2, 3, 4, 5].map((index) => recent.digest(index)?.[0])).toEqual([undefined, undefined, 2, 3, 4, undefined]);
    expect(() => new RecentBlockDigests(0)).toThrow(RangeError);
  });

  it('a HashingPassThrough knows each block\'s digest by the time the block has passed, the last one by the end', async () => {
    const data = generatedBytes(CONTENT_HASH_BLOCK_SIZE * 2 + 777, 13);
    const hashing = new HashingPassThrough();
    const digestOf = (index: number) => createHash('sha256').update(data.subarray(index * CONTENT_HASH_BLOCK_SIZE, (index + 1) * CONTENT_HASH_BLOCK_SIZE)).digest('hex');
    let passed = 0;
    const missing: number[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        passed += chunk.length;
        for (let index = 0; (index + 1) * CONTENT_HASH_BLOCK_SIZE <= passed; index++) {
          if (Buffer.from(hashing.blockDigests.digest(index) ?? []).toString('hex') !== digestOf(index)) missing.push(index);
        }
        callback();
      },
    });
    const pieces: Buffer[] = [];
    for (let at = 0; at < data.length; at += 1_000_003) pieces.push(data.subarray(at, at + 1_000_003));
    await pipeline(Readable.from(pieces), hashing, sink);
    expect(missing).toEqual([]);
    expect([0, 1, 2].map((index) => Buffer.from(hashing.blockDigests.digest(index) ?? []).toString('hex'))).toEqual([0, 1, 2].map(digestOf));
    expect(hashing.result.contentHash).toBe(referenceHash(data));
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
    expect(hashing.result.contentHash).toBe(referenceHash(data)); // read twice: the same digest
  });

  it('a Sha256PassThrough counts and SHA-256-hashes what streams through, and has no result before the end', async () => {
    const data = generatedBytes(CONTENT_HASH_BLOCK_SIZE + 12_345, 11);
    const hashing = new Sha256PassThrough();
    expect(() => hashing.result).toThrow('Sha256PassThrough.result read before the stream finished');
    const copied: Buffer[] = [];
    await pipeline(Readable.from([data.subarray(0, 4096), data.subarray(4096)]), hashing, new Writable({ write: (chunk: Buffer, _e, cb) => { copied.push(chunk); cb(); } }));
    expect(hashing.result).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length });
    expect(Buffer.concat(copied).equals(data)).toBe(true);
  });
});

/** Deterministic fractions in [0, 1) for piece sizes, so a failure can be replayed. */
function random(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 2 ** 32;
}

/** Feeds `pieces` in order, awaiting backpressure like a stream consumer would. */
async function asyncHashOf(pieces: Iterable<Uint8Array>, maxInFlight?: number): Promise<string> {
  const hasher = new AsyncContentHasher(maxInFlight === undefined ? {} : { maxInFlight });
  for (const piece of pieces) {
    const waiting = hasher.update(piece);
    if (waiting !== undefined) await waiting;
    expect(hasher.blocksInFlight).toBeLessThanOrEqual(maxInFlight ?? 1);
  }
  return hasher.digest();
}

function* cut(data: Buffer, sizes: () => number): Generator<Buffer> {
  for (let at = 0; at < data.length; ) {
    const size = Math.max(1, sizes());
    yield data.subarray(at, at + size);
    at += size;
  }
}

describe('AsyncContentHasher', () => {
  const B = CONTENT_HASH_BLOCK_SIZE;
  const sizes = [0, 1, B - 1, B, B + 1, 3 * B, 3 * B + 12_345, 7 * B - 3];

  it.each(sizes)('matches ContentHasher for %i bytes, whether fed at once, in 64 KiB pieces or in random pieces', async (length) => {
    const data = generatedBytes(length, length + 1);
    const expected = new ContentHasher().update(data).digest();
    expect(expected).toBe(referenceHash(data));
    expect(await asyncHashOf([data])).toBe(expected);
    expect(await asyncHashOf(cut(data, () => 65_536))).toBe(expected);
    const next = random(length + 7);
    // Mostly small pieces, sometimes several blocks in one piece.
    expect(await asyncHashOf(cut(data, () => (next() < 0.1 ? Math.floor(next() * 3 * B) : Math.floor(next() * 200_000))), 1)).toBe(expected);
    expect(await asyncHashOf(cut(data, () => Math.floor(next() * 1_500_000)), 3)).toBe(expected);
  });

  it('lets the caller reuse its buffer as soon as an update has settled', async () => {
    const data = generatedBytes(5 * B + 999, 42);
    const reused = Buffer.allocUnsafe(300_000);
    const hasher = new AsyncContentHasher();
    for (const piece of cut(data, () => 300_000)) {
      piece.copy(reused);
      const waiting = hasher.update(reused.subarray(0, piece.length));
      if (waiting !== undefined) await waiting;
      reused.fill(0xff); // would corrupt the hash if the hasher still read from it
    }
    expect(await hasher.digest()).toBe(referenceHash(data));
  });

  it('applies backpressure: never more than maxInFlight blocks are being hashed', async () => {
    const hasher = new AsyncContentHasher({ maxInFlight: 2 });
    const block = generatedBytes(B, 3);
    expect(hasher.update(block)).toBeUndefined();
    expect(hasher.update(block)).toBeUndefined();
    expect(hasher.blocksInFlight).toBe(2);
    // A third block must wait for the first digest; so must a piece spanning many blocks.
    const waiting = hasher.update(Buffer.concat([block, block, block, block]));
    expect(waiting).toBeInstanceOf(Promise);
    const seen: number[] = [];
    const watch = setInterval(() => seen.push(hasher.blocksInFlight), 0);
    await waiting;
    clearInterval(watch);
    expect(Math.max(...seen, hasher.blocksInFlight)).toBeLessThanOrEqual(2);
    expect(await hasher.digest()).toBe(referenceHash(Buffer.concat([block, block, block, block, block, block])));
  });

  it('refuses an update while the previous one is waiting, and any use after digest', async () => {
    const hasher = new AsyncContentHasher({ maxInFlight: 1 });
    // One block on the worker, one held full in the spare buffer: the third must wait.
    const waiting = hasher.update(Buffer.alloc(3 * B));
    expect(waiting).toBeInstanceOf(Promise);
    expect(() => hasher.update(Buffer.alloc(1))).toThrow(/previous update/);
    await waiting;
    await hasher.digest();
    expect(() => hasher.update(Buffer.alloc(1))).toThrow(/after digest/);
    await expect(hasher.digest()).rejects.toThrow(/after digest/);
    expect(() => new AsyncContentHasher({ maxInFlight: 0 })).toThrow(RangeError);
  });
});
