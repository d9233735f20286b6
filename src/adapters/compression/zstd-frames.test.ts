import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { patternBytes, seededRandom } from '../crypto/crypto.test-helpers.ts';
import { ZstdFrameSplitter } from './zstd-frames.ts';

const checksummed = { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } };

/** A frame written by hand, to cover header fields node:zlib never writes (dictionary id, 8-byte size). */
function handmadeFrame(content: Buffer): Buffer {
  const descriptor = (3 << 6) | (1 << 5) | (1 << 2) | 3; // 8-byte content size, single segment, checksum, 4-byte dictionary id
  const header = Buffer.alloc(4 + 1 + 4 + 8);
  header.writeUInt32LE(0xfd2fb528, 0);
  header[4] = descriptor;
  header.writeUInt32LE(0x12345678, 5);
  header.writeBigUInt64LE(BigInt(content.length), 9);
  const blockHeader = Buffer.alloc(3);
  blockHeader.writeUIntLE((content.length << 3) | 1, 0, 3); // raw block, last
  return Buffer.concat([header, blockHeader, content, Buffer.from([1, 2, 3, 4])]);
}

function skippableFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0x184d2a5a, 0);
  header.writeUInt32LE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Frames of every shape the splitter must follow, one per entry. */
function sampleFrames(): Buffer[] {
  const text = Buffer.from('SELECT 1;\n'.repeat(40_000));
  return [
    zlib.zstdCompressSync(Buffer.alloc(0), checksummed), // empty frame
    zlib.zstdCompressSync(Buffer.from('x'), checksummed), // 1-byte content size field
    zlib.zstdCompressSync(Buffer.alloc(300_000, 7), checksummed), // RLE blocks, 4-byte size field
    zlib.zstdCompressSync(patternBytes(140_000, 5), checksummed), // raw (incompressible) blocks, more than one
    zlib.zstdCompressSync(text), // compressed blocks, no checksum
    zlib.zstdCompressSync(patternBytes(1_000, 6), { ...checksummed, pledgedSrcSize: 1_000 }), // 2-byte size field
    withoutContentSize(text),
    handmadeFrame(Buffer.from('hand made')),
    skippableFrame(Buffer.from('skip me')),
    skippableFrame(Buffer.alloc(0)),
  ];
}

/** A frame without content size (as a streaming writer makes), so with a window descriptor. */
function withoutContentSize(data: Buffer): Buffer {
  return zlib.zstdCompressSync(data, { params: { [zlib.constants.ZSTD_c_contentSizeFlag]: 0, [zlib.constants.ZSTD_c_checksumFlag]: 1 } });
}

function cutRandomly(data: Buffer, random: () => number, maxPiece: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const size = 1 + Math.floor(random() ** 2 * maxPiece);
    pieces.push(data.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

/** Offsets where the splitter's output pieces end. */
function pieceEnds(splitter: ZstdFrameSplitter, chunks: Buffer[]): { ends: Set<number>; bytes: Buffer } {
  const ends = new Set<number>();
  const out: Buffer[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    for (const piece of splitter.split(chunk)) {
      if (piece.length === 0) throw new Error(`empty piece at ${offset}`);
      out.push(piece);
      offset += piece.length;
      ends.add(offset);
    }
  }
  return { ends, bytes: Buffer.concat(out) };
}

describe('ZstdFrameSplitter', () => {
  const frames = sampleFrames();
  const stream = Buffer.concat(frames);
  const frameEnds: number[] = [];
  frames.reduce((offset, frame) => (frameEnds.push(offset + frame.length), offset + frame.length), 0);

  it('the sample frames are valid zstd (each decodes on its own)', () => {
    for (const frame of frames.slice(0, 7)) expect(() => zlib.zstdDecompressSync(frame)).not.toThrow();
  });

  it.each([1, 7, 100, 70_000, 10_000_000])('cuts at every frame end and only there, whatever the write size (up to %i bytes)', (maxPiece) => {
    for (const seed of [1, 2, 3]) {
      const chunks = cutRandomly(stream, seededRandom(seed * maxPiece), maxPiece);
      const chunkEnds = new Set<number>();
      chunks.reduce((offset, chunk) => (chunkEnds.add(offset + chunk.length), offset + chunk.length), 0);
      const { ends, bytes } = pieceEnds(new ZstdFrameSplitter(), chunks);
      expect(bytes.equals(stream)).toBe(true);
      expect(frameEnds.filter((end) => !ends.has(end))).toEqual([]);
      expect([...ends].filter((end) => !frameEnds.includes(end) && !chunkEnds.has(end))).toEqual([]);
    }
  });

  it('passes bytes it cannot follow on whole, without cutting', () => {
    const garbage = Buffer.from('this is not a zstd frame at all, just text');
    const { ends, bytes } = pieceEnds(new ZstdFrameSplitter(), [Buffer.concat([frames[1]!, garbage, frames[1]!])]);
    expect(bytes.length).toBe(frames[1]!.length * 2 + garbage.length);
    expect([...ends]).toEqual([frames[1]!.length, bytes.length]);

    const reservedBlock = Buffer.from(frames[1]!);
    const blockHeaderAt = 4 + 1 + 1; // magic, descriptor, 1-byte content size (single segment)
    reservedBlock[blockHeaderAt] = (reservedBlock[blockHeaderAt] ?? 0) | 0b110;
    const split = pieceEnds(new ZstdFrameSplitter(), [Buffer.concat([reservedBlock, frames[1]!])]);
    expect([...split.ends]).toEqual([reservedBlock.length + frames[1]!.length]);
  });
});
