import { spawnSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DBackupError } from '../../core/errors.ts';
import { patternBytes, runThrough, seededRandom, transformAll } from '../crypto/crypto.test-helpers.ts';
import { compressionFromFileName, parseCompression, stripCompressionExtension, type Compression } from './compression.ts';
import { createCompressStream, createDecompressStream } from './compression.stream.ts';
import { ZstdFrameSplitter } from './zstd-frames.ts';

/** Text-like data that compresses well, like a SQL dump. */
function dumpLike(length: number): Buffer {
  const line = "INSERT INTO orders (id, customer, total) VALUES (42, 'Ada Lovelace', 1815.12);\n";
  const text = Buffer.from(line.repeat(Math.ceil(length / line.length) + 1));
  return text.subarray(0, length);
}

async function roundTrip(compression: Compression, data: Buffer, seed: number, level?: number, blockSize?: number): Promise<{ compressed: Buffer; restored: Buffer }> {
  const compressed = await transformAll(createCompressStream(compression, level, { blockSize }), data, { random: seededRandom(seed), maxPiece: 200_000 });
  const restored = await transformAll(createDecompressStream(compression), compressed, { random: seededRandom(seed + 1), maxPiece: 50_000 });
  return { compressed, restored };
}

function expectIntegrity(error: unknown, message: RegExp): void {
  expect(error).toBeInstanceOf(DBackupError);
  expect((error as DBackupError).code).toBe('integrity');
  expect((error as DBackupError).message).toMatch(message);
}

describe('compression streams', () => {
  const sizes = [0, 1, 100_000, 3 * 1024 * 1024 + 17];
  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    it.each(sizes)(`${compression}: round-trips %i bytes of dump-like and random data`, async (size) => {
      for (const data of [dumpLike(size), patternBytes(size, size)]) {
        const { restored } = await roundTrip(compression, data, size);
        expect(restored.equals(data)).toBe(true);
      }
    });
  }

  it('writes standard gzip and zstd that the stock decoders read, and actually compresses', async () => {
    const data = dumpLike(1024 * 1024);
    const gzip = await roundTrip('gzip', data, 1);
    expect(zlib.gunzipSync(gzip.compressed).equals(data)).toBe(true);
    expect(gzip.compressed.length).toBeLessThan(data.length / 10);
    const zstd = await roundTrip('zstd', data, 2);
    expect(zlib.zstdDecompressSync(zstd.compressed).equals(data)).toBe(true);
    expect(zstd.compressed.length).toBeLessThan(data.length / 10);
  });

  it('writes zstd frames with a content checksum, so corruption is detectable', async () => {
    const { compressed } = await roundTrip('zstd', dumpLike(1000), 3);
    expect(compressed.readUInt32LE(0)).toBe(0xfd2fb528); // zstd frame magic
    const descriptor = compressed[4] ?? 0;
    expect(descriptor & 0b100).toBe(0b100); // Content_Checksum_flag
  });

  it('honours the level and rejects levels out of range', async () => {
    const data = dumpLike(500_000);
    const fast = await roundTrip('zstd', data, 4, 1);
    const strong = await roundTrip('zstd', data, 5, 19);
    expect(strong.restored.equals(data) && fast.restored.equals(data)).toBe(true);
    expect(strong.compressed.length).toBeLessThanOrEqual(fast.compressed.length);
    expect(() => createCompressStream('gzip', 0)).toThrow(/from 1 to 9/);
    expect(() => createCompressStream('gzip', 10)).toThrow(/from 1 to 9/);
    expect(() => createCompressStream('zstd', 20)).toThrow(/from 1 to 19/);
    expect(() => createCompressStream('zstd', 2.5)).toThrow(DBackupError);
  });

  it('keeps working when the reader is slower than the decompressor (backpressure)', async () => {
    const data = Buffer.alloc(16 * 1024 * 1024, 7);
    const compressed = zlib.gzipSync(data);
    let received = 0;
    const slowSink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        setImmediate(callback);
      },
    });
    await pipeline(Readable.from([compressed]), createDecompressStream('gzip'), slowSink);
    expect(received).toBe(data.length);
  });
});

/** `command -d` of the system CLI, or undefined when it is not installed (never skipped in CI). */
function decompressWithCli(command: 'zstd' | 'gzip', input: Buffer): Buffer | undefined {
  const result = spawnSync(command, ['-d', '-c'], { input, maxBuffer: 1 << 30 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && process.env.CI !== 'true') return undefined;
  if (result.error) throw result.error;
  expect(result.stderr.toString()).toBe('');
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('output in several frames (members), one per block', () => {
  // Not a multiple of node:zlib's 16 KiB output chunk: its zstd decoder alone would stop after the
  // first frame (it only goes on when a frame ends exactly as its output buffer fills).
  const blockSize = 200_000;
  const data = Buffer.concat([dumpLike(2 * 1024 * 1024), patternBytes(1024 * 1024 + 17, 9)]);
  const blocks = Math.ceil(data.length / blockSize);

  for (const compression of ['gzip', 'zstd'] as const) {
    it(`${compression}: round-trips through our decompressor, written and read in pieces of any size`, async () => {
      for (const seed of [1, 2]) {
        const { compressed, restored } = await roundTrip(compression, data, seed, undefined, blockSize);
        expect(restored.equals(data)).toBe(true);
        expect(compressed.length).toBeLessThan(data.length * 0.45);
      }
      // One write carrying every frame at once.
      const compressed = (await roundTrip(compression, data, 3, undefined, blockSize)).compressed;
      expect((await transformAll(createDecompressStream(compression), compressed)).equals(data)).toBe(true);
    });

    it(`${compression}: the system \`${compression} -d\` reads all frames (and the output of empty input)`, async () => {
      for (const input of [data, Buffer.alloc(0)]) {
        const { compressed } = await roundTrip(compression, input, 4, undefined, blockSize);
        const restored = decompressWithCli(compression, compressed);
        if (restored === undefined) return; // not installed here (and not CI)
        expect(restored.length).toBe(input.length);
        expect(restored.equals(input)).toBe(true);
      }
    });
  }

  it('node:zlib alone: gunzip reads all members, the zstd decoder may stop after the first frame', async () => {
    const gzip = (await roundTrip('gzip', data, 11, undefined, blockSize)).compressed;
    expect((await transformAll(zlib.createGunzip(), gzip)).equals(data)).toBe(true);
    const zstd = (await roundTrip('zstd', data, 12, undefined, blockSize)).compressed;
    // Why createDecompressStream feeds the zstd decoder frame by frame (nodejs/node#64741). When
    // this fails after a Node upgrade, the decoder reads all frames itself and ZstdFrameSplitter
    // could go.
    const { output, error } = await runThrough(zlib.createZstdDecompress(), zstd);
    expect(error).toBeUndefined();
    expect(output.length).toBe(blockSize); // quietly only the first frame
  });

  it('zstd: one frame per block, each with the content checksum', async () => {
    const { compressed } = await roundTrip('zstd', data, 5, undefined, blockSize);
    const frames = new ZstdFrameSplitter().split(compressed);
    expect(frames.length).toBe(blocks);
    for (const frame of frames) {
      expect(frame.readUInt32LE(0)).toBe(0xfd2fb528);
      expect((frame[4] ?? 0) & 0b100).toBe(0b100);
      expect(zlib.zstdDecompressSync(frame).length).toBe(frame === frames.at(-1) ? data.length - (blocks - 1) * blockSize : blockSize);
    }
  });

  it('zstd: each frame declares the smallest window that holds a whole block', async () => {
    const big = dumpLike(9 * 1024 * 1024);
    for (const level of [1, 3, 19]) {
      const frames = new ZstdFrameSplitter().split((await roundTrip('zstd', big, 9, level, 4 * 1024 * 1024)).compressed);
      expect(frames.length).toBe(3);
      for (const frame of frames) {
        const descriptor = frame[4]!;
        // No single-segment flag: the encoder streams, so a window descriptor follows (RFC 8878 3.1.1.1.2).
        expect(descriptor & 0b10_0000).toBe(0);
        const windowByte = frame[5]!;
        expect({ level, windowLog: 10 + (windowByte >> 3), mantissa: windowByte & 0b111 }).toEqual({ level, windowLog: 22, mantissa: 0 });
      }
    }
  });

  it('gzip: one member per block', async () => {
    const { compressed } = await roundTrip('gzip', data, 6, undefined, blockSize);
    const headers = [];
    for (let at = compressed.indexOf(GZIP_HEADER); at !== -1; at = compressed.indexOf(GZIP_HEADER, at + 1)) headers.push(at);
    expect(headers.length).toBe(blocks);
    // Each member on its own decompresses to one block.
    const first = zlib.gunzipSync(compressed.subarray(0, headers[1]));
    expect(first.equals(data.subarray(0, blockSize))).toBe(true);
  });

  it('compresses nearly as well as one stream (default block size)', async () => {
    const big = dumpLike(9 * 1024 * 1024);
    const compressed = (await roundTrip('zstd', big, 7)).compressed;
    const frames = new ZstdFrameSplitter().split(compressed).length;
    const zstdOne = zlib.zstdCompressSync(big, { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } }).length;
    // 2 % plus a fixed cost per frame (header, checksum, restarting the match history), which
    // dominates on this very repetitive input: it compresses to about a kilobyte.
    expect(compressed.length).toBeLessThan(zstdOne * 1.02 + 100 * frames);
    const gzipBlocks = (await roundTrip('gzip', big, 8)).compressed.length;
    expect(gzipBlocks).toBeLessThan(zlib.gzipSync(big).length * 1.01 + 100 * frames); // as many members as frames
  });
});

/** gzip magic, deflate method, no flags, as node:zlib writes member headers (mtime 0, XFL 0, OS 3). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

describe('damaged multi-frame (multi-member) input is an integrity error', () => {
  const blockSize = 50_000;
  const data = patternBytes(300_000, 78);
  const compressedWith = (compression: 'gzip' | 'zstd') => roundTrip(compression, data, 10, undefined, blockSize).then((r) => r.compressed);

  for (const compression of ['gzip', 'zstd'] as const) {
    it(`${compression}: a changed first byte of the second frame (which once ended the output quietly)`, async () => {
      const compressed = Buffer.from(await compressedWith(compression));
      const second = compression === 'zstd' ? new ZstdFrameSplitter().split(compressed)[0]!.length : compressed.indexOf(GZIP_HEADER, 1);
      expect(second).toBeGreaterThan(0);
      compressed[second] = (compressed[second] ?? 0) ^ 0x01;
      const { error } = await runThrough(createDecompressStream(compression), compressed);
      expectIntegrity(error, new RegExp(`${compression} data`));
    });

    it(`${compression}: input cut inside a later frame`, async () => {
      const compressed = await compressedWith(compression);
      const { error } = await runThrough(createDecompressStream(compression), compressed.subarray(0, Math.floor(compressed.length * 0.6)));
      expectIntegrity(error, /ends unexpectedly: the backup is truncated or corrupted/);
    });

    it(`${compression}: bytes after the last frame`, async () => {
      const compressed = await compressedWith(compression);
      for (const extra of [Buffer.alloc(10), Buffer.from('garbage'), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])]) {
        const { error } = await runThrough(createDecompressStream(compression), Buffer.concat([compressed, extra]), { random: seededRandom(extra.length), maxPiece: 40_000 });
        expectIntegrity(error, new RegExp(`${compression} data`));
      }
    });
  }
});

describe('corrupt compressed input is an integrity error', () => {
  const data = patternBytes(300_000, 77);
  const compressedWith = (compression: 'gzip' | 'zstd') => roundTrip(compression, data, 6).then((r) => r.compressed);

  for (const compression of ['gzip', 'zstd'] as const) {
    it(`${compression}: a changed byte in the middle`, async () => {
      const compressed = Buffer.from(await compressedWith(compression));
      const middle = Math.floor(compressed.length / 2);
      compressed[middle] = (compressed[middle] ?? 0) ^ 0x40;
      const { error } = await runThrough(createDecompressStream(compression), compressed);
      expectIntegrity(error, new RegExp(`${compression} data`));
    });

    it(`${compression}: truncated input`, async () => {
      const compressed = await compressedWith(compression);
      const { error } = await runThrough(createDecompressStream(compression), compressed.subarray(0, compressed.length - 100));
      expectIntegrity(error, /ends unexpectedly: the backup is truncated or corrupted/);
    });

    it(`${compression}: data that is not ${compression} at all`, async () => {
      const { error } = await runThrough(createDecompressStream(compression), Buffer.from('-- plain SQL dump\nSELECT 1;\n'));
      expectIntegrity(error, new RegExp(`not ${compression} at all`));
    });
  }
});

describe('compression from file names', () => {
  it.each([
    ['backup_2024-01-15T12-00-00.sql', 'none'],
    ['backup_2024-01-15T12-00-00.sql.gz', 'gzip'],
    ['backup_2024-01-15T12-00-00.sql.gz.enc', 'gzip'],
    ['backup_2024-01-15T12-00-00.sql.zst', 'zstd'],
    ['backup_2024-01-15T12-00-00.sql.ZST.enc', 'zstd'],
    ['backup_2024-01-15T12-00-00.sql.enc', 'none'],
    ['notes.gzip', 'none'],
  ] as const)('%s → %s', (name, expected) => {
    expect(compressionFromFileName(name)).toBe(expected);
  });

  it('strips only a final compression extension', () => {
    expect(stripCompressionExtension('backup.sql.gz')).toBe('backup.sql');
    expect(stripCompressionExtension('backup.sql.ZST')).toBe('backup.sql');
    expect(stripCompressionExtension('backup.sql.gz.enc')).toBe('backup.sql.gz.enc');
    expect(stripCompressionExtension('backup.sql')).toBe('backup.sql');
  });

  it('parses compression names and rejects unknown ones', () => {
    expect(parseCompression(' GZIP ')).toBe('gzip');
    expect(() => parseCompression('bzip2')).toThrow(/Use one of: none, gzip, zstd/);
  });
});
