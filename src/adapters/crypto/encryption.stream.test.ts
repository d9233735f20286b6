import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DBackupError, isDBackupError } from '../../core/errors.ts';
import { patternBytes, runThrough, seededRandom, transformAll } from './crypto.test-helpers.ts';
import { createDecryptStream } from './decrypt.stream.ts';
import { createEncryptStream } from './encrypt.stream.ts';
import { DEFAULT_CHUNK_SIZE, ENCRYPTION_HEADER_BYTES, TAG_BYTES, readEncryptionHeader } from './encryption-format.ts';
import { fingerprintOf, generateEncryptionKey } from './encryption-key.ts';

const key = generateEncryptionKey();
const SMALL = 1024;

async function encrypt(data: Buffer, chunkSize?: number, seed?: number): Promise<Buffer> {
  const random = seed === undefined ? undefined : seededRandom(seed);
  return transformAll(createEncryptStream(key, chunkSize === undefined ? {} : { chunkSize }), data, { random, maxPiece: 3 * (chunkSize ?? DEFAULT_CHUNK_SIZE) });
}

async function decrypt(file: Buffer, seed?: number, withKey: Uint8Array = key) {
  const random = seed === undefined ? undefined : seededRandom(seed);
  return runThrough(createDecryptStream(withKey), file, { random, maxPiece: 5000 });
}

function expectError(error: unknown, code: DBackupError['code'], message?: RegExp): DBackupError {
  expect(error).toBeInstanceOf(DBackupError);
  const dbackupError = error as DBackupError;
  expect(dbackupError.code).toBe(code);
  expect(dbackupError.retryable).toBe(false);
  if (message) expect(dbackupError.message).toMatch(message);
  return dbackupError;
}

/** Byte offset of stored chunk `index` in a file with `chunkSize`-byte chunks. */
function chunkOffset(index: number, chunkSize = SMALL): number {
  return ENCRYPTION_HEADER_BYTES + index * (chunkSize + TAG_BYTES);
}

function flipByte(file: Buffer, offset: number): Buffer {
  const copy = Buffer.from(file);
  copy[offset] = (copy[offset] ?? 0) ^ 0x01;
  return copy;
}

describe('encrypt → decrypt round trips', () => {
  const small = [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 3 * SMALL + 7];
  it.each(small)('restores %i bytes exactly with 1 KiB chunks and random write sizes', async (size) => {
    const plaintext = patternBytes(size, size + 1);
    const file = await encrypt(plaintext, SMALL, size);
    // Header, one tag per chunk, and the final chunk is always shorter than a full one.
    expect(file.length).toBe(ENCRYPTION_HEADER_BYTES + size + TAG_BYTES * (Math.floor(size / SMALL) + 1));
    const { output, error } = await decrypt(file, size + 99);
    expect(error).toBeUndefined();
    expect(output.equals(plaintext)).toBe(true);
  });

  const C = DEFAULT_CHUNK_SIZE;
  it.each([0, 1, C - 1, C, C + 1, 5 * C + 123])('restores %i bytes with the default 1 MiB chunks', async (size) => {
    const plaintext = patternBytes(size, size);
    const file = await encrypt(plaintext, undefined, size + 5);
    expect(readEncryptionHeader(file).chunkSize).toBe(DEFAULT_CHUNK_SIZE);
    const { output, error } = await decrypt(file, size + 7);
    expect(error).toBeUndefined();
    expect(output.equals(plaintext)).toBe(true);
  });

  it('streams 24 MiB through encrypt → decrypt without either side holding the whole file', async () => {
    const piece = patternBytes(65_536 + 17, 5);
    const pieces = 24 * 16;
    const source = Readable.from((function* () {
      for (let i = 0; i < pieces; i++) yield piece;
    })());
    const expected = createHash('sha256');
    for (let i = 0; i < pieces; i++) expected.update(piece);
    const actual = createHash('sha256');
    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        actual.update(chunk);
        bytes += chunk.length;
        callback();
      },
    });
    await pipeline(source, createEncryptStream(key), createDecryptStream(key), sink);
    expect(bytes).toBe(piece.length * pieces);
    expect(actual.digest('hex')).toBe(expected.digest('hex'));
  });

  it('uses a fresh salt per file, so equal plaintexts give unrelated ciphertexts', async () => {
    const plaintext = patternBytes(4000);
    const [a, b] = [await encrypt(plaintext, SMALL), await encrypt(plaintext, SMALL)];
    expect(readEncryptionHeader(a).salt.equals(readEncryptionHeader(b).salt)).toBe(false);
    expect(a.subarray(ENCRYPTION_HEADER_BYTES).equals(b.subarray(ENCRYPTION_HEADER_BYTES))).toBe(false);
  });

  it('writes the key fingerprint into the header and exposes it on the stream', async () => {
    const stream = createEncryptStream(key);
    expect(stream.fingerprint).toBe(fingerprintOf(key));
    const file = await transformAll(stream, Buffer.from('hello'));
    const header = readEncryptionHeader(file.subarray(0, ENCRYPTION_HEADER_BYTES));
    expect(header).toMatchObject({ version: 1, algorithm: 1, chunkSize: DEFAULT_CHUNK_SIZE, fingerprint: fingerprintOf(key) });
  });

  it('encrypts at a speed comparable to raw AES-256-GCM', async () => {
    const data = randomBytes(32 * 1024 * 1024);
    const time = async (work: () => Promise<unknown> | unknown): Promise<number> => {
      let best = Infinity;
      for (let i = 0; i < 2; i++) {
        const start = performance.now();
        await work();
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    const raw = await time(() => {
      const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
      cipher.update(data);
      cipher.final();
    });
    const streamed = await time(() => transformAll(createEncryptStream(key), data, { random: seededRandom(3), maxPiece: 256 * 1024 }));
    // Generous bound for a shared machine; catches gross regressions such as re-concatenating
    // buffers per write or sealing tiny chunks, which cost many times the cipher itself.
    expect(streamed).toBeLessThan(raw * 5 + 300);
  });
});

describe('tampering, truncation and reordering are detected before bad plaintext is released', () => {
  // Five full 1 KiB chunks (0–4) and a final chunk 5 of 100 bytes.
  const plaintext = patternBytes(5 * SMALL + 100, 42);
  let file: Buffer;
  const prepared = encrypt(plaintext, SMALL).then((bytes) => (file = bytes));
  const chunk = (i: number) => file.subarray(chunkOffset(i), Math.min(chunkOffset(i + 1), file.length));
  const verifiedPrefix = (chunks: number) => plaintext.subarray(0, chunks * SMALL);

  it('is set up with six stored chunks', async () => {
    await prepared;
    expect(file.length).toBe(chunkOffset(5) + 100 + TAG_BYTES);
  });

  it('rejects a changed byte anywhere in the header, with no output', async () => {
    await prepared;
    for (let offset = 0; offset < ENCRYPTION_HEADER_BYTES; offset++) {
      const { output, error } = await decrypt(flipByte(file, offset));
      expect(isDBackupError(error), `offset ${offset}`).toBe(true);
      const expectedCode = offset < 12 ? 'invalid_input' : 'integrity';
      expect((error as DBackupError).code, `offset ${offset}`).toBe(expectedCode);
      expect(output.length, `offset ${offset}`).toBe(0);
    }
  });

  it('reports a changed ciphertext byte with the chunk number and releases only earlier chunks', async () => {
    await prepared;
    const { output, error } = await decrypt(flipByte(file, chunkOffset(2) + 500), 1);
    const e = expectError(error, 'integrity', /corrupted or was tampered with at chunk 2 \(authentication failed\)/);
    expect(e.details).toMatchObject({ chunk: 2 });
    expect(output.equals(verifiedPrefix(2))).toBe(true);
  });

  it('detects a changed tag byte', async () => {
    await prepared;
    const { output, error } = await decrypt(flipByte(file, chunkOffset(4) - 3), 2);
    expectError(error, 'integrity', /at chunk 3/);
    expect(output.equals(verifiedPrefix(3))).toBe(true);
  });

  it('detects a changed byte in the final chunk', async () => {
    await prepared;
    const { output, error } = await decrypt(flipByte(file, file.length - 30), 3);
    expectError(error, 'integrity', /at chunk 5, its last chunk/);
    expect(output.equals(verifiedPrefix(5))).toBe(true);
  });

  it('detects truncation at a chunk boundary (final chunk missing)', async () => {
    await prepared;
    const { output, error } = await decrypt(file.subarray(0, chunkOffset(5)), 4);
    expectError(error, 'integrity', /^The encrypted backup is truncated: it ends after chunk 4 and the final chunk is missing/);
    expect(output.equals(verifiedPrefix(5))).toBe(true);
  });

  it('detects truncation at every earlier chunk boundary', async () => {
    await prepared;
    for (let i = 0; i < 5; i++) {
      const { error } = await decrypt(file.subarray(0, chunkOffset(i)));
      expectError(error, 'integrity', /^The encrypted backup is truncated/);
    }
  });

  it('detects truncation in the middle of a chunk', async () => {
    await prepared;
    const { output, error } = await decrypt(file.subarray(0, chunkOffset(3) + 700), 5);
    expectError(error, 'integrity', /at chunk 3/);
    expect(output.equals(verifiedPrefix(3))).toBe(true);
    const tiny = await decrypt(file.subarray(0, chunkOffset(3) + 10));
    expectError(tiny.error, 'integrity', /^The encrypted backup is truncated: it ends inside chunk 3/);
  });

  it('detects truncation inside the header and an empty file', async () => {
    await prepared;
    expectError((await decrypt(file.subarray(0, 40))).error, 'integrity', /truncated: it ends inside its 64-byte header/);
    expectError((await decrypt(file.subarray(0, 0))).error, 'integrity', /truncated: the file is empty/);
    expectError((await decrypt(file.subarray(0, ENCRYPTION_HEADER_BYTES))).error, 'integrity', /ends right after its header/);
  });

  it('detects a dropped chunk', async () => {
    await prepared;
    const dropped = Buffer.concat([file.subarray(0, chunkOffset(2)), file.subarray(chunkOffset(3))]);
    const { output, error } = await decrypt(dropped, 6);
    expectError(error, 'integrity', /at chunk 2/);
    expect(output.equals(verifiedPrefix(2))).toBe(true);
  });

  it('detects a duplicated chunk', async () => {
    await prepared;
    const duplicated = Buffer.concat([file.subarray(0, chunkOffset(2)), chunk(1), file.subarray(chunkOffset(2))]);
    const { output, error } = await decrypt(duplicated, 7);
    expectError(error, 'integrity', /at chunk 2/);
    expect(output.equals(verifiedPrefix(2))).toBe(true);
  });

  it('detects swapped chunks', async () => {
    await prepared;
    const swapped = Buffer.concat([file.subarray(0, chunkOffset(1)), chunk(2), chunk(1), file.subarray(chunkOffset(3))]);
    const { output, error } = await decrypt(swapped, 8);
    expectError(error, 'integrity', /at chunk 1/);
    expect(output.equals(verifiedPrefix(1))).toBe(true);
  });

  it('detects a final chunk moved forward (a cut file made to look complete)', async () => {
    await prepared;
    const cut = Buffer.concat([file.subarray(0, chunkOffset(2)), chunk(5)]);
    const { output, error } = await decrypt(cut);
    expectError(error, 'integrity', /at chunk 2, its last chunk/);
    expect(output.equals(verifiedPrefix(2))).toBe(true);
  });

  it('detects bytes appended after the final chunk', async () => {
    await prepared;
    const { error } = await decrypt(Buffer.concat([file, Buffer.from('extra')]));
    expectError(error, 'integrity', /at chunk 5/);
  });

  it('detects a chunk taken from another file encrypted with the same key', async () => {
    await prepared;
    const other = await encrypt(plaintext, SMALL);
    const spliced = Buffer.concat([file.subarray(0, chunkOffset(1)), other.subarray(chunkOffset(1))]);
    expectError((await decrypt(spliced)).error, 'integrity', /at chunk 1/);
  });
});

describe('keys', () => {
  const plaintext = patternBytes(3 * SMALL + 5, 9);

  it('refuses a wrong key before any output, naming both fingerprints', async () => {
    const file = await encrypt(plaintext, SMALL);
    const other = generateEncryptionKey();
    const { output, error } = await decrypt(file, 11, other);
    const e = expectError(error, 'integrity');
    expect(e.message).toBe(
      `This file was encrypted with key ${fingerprintOf(key)}, but the key given has fingerprint ${fingerprintOf(other)}. Use the encryption profile's exported key with that fingerprint.`,
    );
    expect(output.length).toBe(0);
  });

  it('asks a resolver for the key by the fingerprint in the header', async () => {
    const file = await encrypt(plaintext, SMALL);
    const asked: string[] = [];
    const resolver = async (fingerprint: string) => {
      asked.push(fingerprint);
      return fingerprint === fingerprintOf(key) ? key : undefined;
    };
    const { output, error } = await runThrough(createDecryptStream(resolver), file, { random: seededRandom(1), maxPiece: 50 });
    expect(error).toBeUndefined();
    expect(output.equals(plaintext)).toBe(true);
    expect(asked).toEqual([fingerprintOf(key)]);
  });

  it('reports not_found when the resolver has no such key, and integrity when it returns another key', async () => {
    const file = await encrypt(plaintext, SMALL);
    const missing = await runThrough(createDecryptStream(() => undefined), file);
    expectError(missing.error, 'not_found', new RegExp(fingerprintOf(key)));
    expect(missing.output.length).toBe(0);
    const wrong = await runThrough(createDecryptStream(() => generateEncryptionKey()), file);
    expectError(wrong.error, 'integrity', /but the key given has fingerprint/);
  });

  it('rejects a key of the wrong length up front', () => {
    expect(() => createEncryptStream(randomBytes(31))).toThrow(/exactly 32 bytes/);
    expect(() => createDecryptStream(randomBytes(16))).toThrow(/exactly 32 bytes/);
    expect(() => createEncryptStream(key, { chunkSize: 8 })).toThrow(/Chunk size/);
  });

  it('says a plain file is not encrypted, after its first bytes', async () => {
    const { error, output } = await decrypt(Buffer.from('-- PostgreSQL database dump\n'.repeat(1000)), 12);
    expectError(error, 'invalid_input', /not a DBackup encrypted backup/);
    expect(output.length).toBe(0);
  });
});

describe('readEncryptionHeader', () => {
  it('tells the fingerprint without the key, from the first bytes or the whole file', async () => {
    const file = await encrypt(patternBytes(3000), SMALL);
    for (const bytes of [file.subarray(0, ENCRYPTION_HEADER_BYTES), file]) {
      expect(readEncryptionHeader(bytes)).toMatchObject({ fingerprint: fingerprintOf(key), chunkSize: SMALL, version: 1 });
    }
  });

  it('rejects too few bytes and non-encrypted data', async () => {
    const file = await encrypt(Buffer.alloc(0), SMALL);
    expectError(captured(() => readEncryptionHeader(file.subarray(0, 63))), 'integrity', /truncated/);
    expectError(captured(() => readEncryptionHeader(Buffer.from('PK\x03\x04 not ours'))), 'invalid_input');
  });
});

function captured(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
