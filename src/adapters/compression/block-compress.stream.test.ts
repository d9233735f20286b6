import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { patternBytes, runThrough, seededRandom, transformAll } from '../crypto/crypto.test-helpers.ts';
import { BlockCompressStream } from './block-compress.stream.ts';
import type { BlockCompressor } from './frame-engines.ts';

/**
 * A stand-in engine that "compresses" a block into `length (4 B) ‖ copy of the block`, finishing
 * after a random delay so later blocks often finish first. It records how many calls run at once.
 */
function fakeEngine(seed: number) {
  const random = seededRandom(seed);
  const stats = { calls: 0, running: 0, maxRunning: 0, blockSizes: [] as number[], closed: false };
  const compress = async (block: Buffer) => {
    stats.calls++;
    stats.blockSizes.push(block.length);
    stats.running++;
    stats.maxRunning = Math.max(stats.maxRunning, stats.running);
    const frame = Buffer.alloc(4 + block.length);
    frame.writeUInt32BE(block.length, 0);
    block.copy(frame, 4); // read the input now, as a real engine does while it runs
    await delay(Math.floor(random() * 5));
    stats.running--;
    return [frame.subarray(0, 2), frame.subarray(2)]; // in pieces, as real engines return frames
  };
  const compressor: BlockCompressor = { compress, close: () => (stats.closed = true) };
  return { compressor, stats };
}

/** A compressor from a function; copies, never returns a view of the block. */
function compressorOf(compress: (block: Buffer) => Promise<Buffer>): BlockCompressor {
  return { compress: async (block) => [await compress(block)], close: () => undefined };
}

/** Undoes fakeEngine's frames. */
function unframe(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const length = data.readUInt32BE(at);
    blocks.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return blocks;
}

const fail = (error: Error) => new Error(`mapped: ${error.message}`);

describe('BlockCompressStream', () => {
  it.each([
    [0, 1000],
    [1, 1000],
    [999, 1000],
    [1000, 1000],
    [123_457, 1000],
    [123_457, 65_536],
  ])('cuts %i bytes into blocks of %i and emits the frames in input order', async (size, blockSize) => {
    for (const parallelism of [1, 2, 3]) {
      const data = patternBytes(size, size + parallelism);
      const { compressor, stats } = fakeEngine(size + blockSize + parallelism);
      const stream = new BlockCompressStream(compressor, { blockSize, parallelism }, fail);
      const output = await transformAll(stream, data, { random: seededRandom(parallelism), maxPiece: 3 * blockSize });
      const blocks = unframe(output);
      expect(Buffer.concat(blocks).equals(data)).toBe(true);
      const expected = size === 0 ? [0] : Array.from({ length: Math.ceil(size / blockSize) }, (_, i) => Math.min(blockSize, size - i * blockSize));
      expect(blocks.map((block) => block.length)).toEqual(expected);
      expect(stats.maxRunning).toBeLessThanOrEqual(parallelism);
      if (size >= 10 * blockSize) expect(stats.maxRunning).toBe(parallelism);
      expect(stats.closed).toBe(true);
    }
  });

  it('keeps at most `parallelism` frames compressing or unread while the reader is slow', async () => {
    const blockSize = 100_000; // a frame exceeds the readable buffer's high-water mark, as real ones do
    const parallelism = 3;
    const { compressor, stats } = fakeEngine(7);
    const stream = new BlockCompressStream(compressor, { blockSize, parallelism }, fail);
    let bytesRead = 0;
    let worst = 0;
    const slowSink = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        bytesRead += chunk.length;
        const framesTaken = Math.ceil(bytesRead / (blockSize + 4)); // counting the one this piece belongs to
        worst = Math.max(worst, stats.calls - framesTaken);
        setTimeout(callback, 3);
      },
    });
    const data = patternBytes(40 * blockSize, 8);
    await pipeline(Readable.from([data]), stream, slowSink);
    expect(bytesRead).toBe(40 * (blockSize + 4));
    // Frames started but not yet taken by the sink: the slots, plus one in the stream's read buffer.
    expect(worst).toBeLessThanOrEqual(parallelism + 1);
    expect(worst).toBeGreaterThanOrEqual(parallelism);
  });

  it('stops taking input while all slots are busy (backpressure to the writer)', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const stream = new BlockCompressStream(compressorOf(async (block) => {
      calls++;
      await gate;
      return Buffer.from(block);
    }), { blockSize: 1000, parallelism: 2 }, fail);
    let accepted = 0;
    for (let i = 0; i < 50; i++) stream.write(Buffer.alloc(1000), () => accepted++);
    await delay(50);
    expect(calls).toBe(2);
    expect(accepted).toBeLessThan(5);
    release();
    stream.resume();
    stream.end();
    await new Promise((resolve) => stream.once('end', resolve));
    expect(accepted).toBe(50);
    expect(calls).toBe(50);
  });

  it('fails with the mapped error when a block fails, and drops the frames after it', async () => {
    let calls = 0;
    const stream = new BlockCompressStream(compressorOf(async (block) => {
      if (++calls === 3) throw new Error('engine broke');
      return Buffer.from(block);
    }), { blockSize: 100, parallelism: 2 }, fail);
    const { output, error } = await runThrough(stream, patternBytes(10_000, 3), { random: seededRandom(3), maxPiece: 300 });
    expect((error as Error).message).toBe('mapped: engine broke');
    expect(output.length).toBeLessThanOrEqual(200);
  });

  it('rejects a block size or parallelism that is not a positive integer', () => {
    const { compressor } = fakeEngine(1);
    expect(() => new BlockCompressStream(compressor, { blockSize: 0, parallelism: 1 }, fail)).toThrow(RangeError);
    expect(() => new BlockCompressStream(compressor, { blockSize: 10, parallelism: 1.5 }, fail)).toThrow(RangeError);
  });
});
