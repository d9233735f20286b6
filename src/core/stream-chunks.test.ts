import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chunksOf } from './stream-chunks.ts';

const MIB = 1024 * 1024;

async function collect(stream: Readable): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of chunksOf(stream)) chunks.push(chunk);
  return chunks;
}

describe('chunksOf', () => {
  it('hands out the producer’s own buffers, one at a time, even when several are buffered', async () => {
    // The situation of a backup stream: a 1 MiB ciphertext chunk and its 16-byte tag, queued
    // together before the consumer asks. The built-in iterator would return one concatenated copy.
    const stream = new PassThrough({ highWaterMark: MIB });
    const written: Buffer[] = [];
    for (let i = 0; i < 3; i++) written.push(Buffer.alloc(MIB, i), Buffer.alloc(16, 100 + i));
    for (const buffer of written) stream.write(buffer);
    stream.end();

    const chunks = await collect(stream);

    expect(chunks.map((chunk) => chunk.length)).toEqual(written.map((buffer) => buffer.length));
    chunks.forEach((chunk, index) => expect(chunk.buffer).toBe(written[index]!.buffer));
  });

  it('keeps backpressure: a fast producer is held at the stream’s high-water mark while the consumer is slow', async () => {
    let produced = 0;
    const stream = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        produced += 1;
        this.push(produced > 200 ? null : Buffer.alloc(16 * 1024));
      },
    });
    let taken = 0;
    let mostAhead = 0;
    for await (const chunk of chunksOf(stream)) {
      taken += chunk.length / (16 * 1024);
      mostAhead = Math.max(mostAhead, produced - taken);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(taken).toBe(200);
    expect(mostAhead).toBeLessThanOrEqual(8); // the 64 KiB buffer (4 chunks) plus a chunk or two in flight
  });

  it('turns string chunks into UTF-8 buffers', async () => {
    const stream = Readable.from(['grüße', Buffer.from(' und '), new Uint8Array([0x21])], { objectMode: true });
    expect(Buffer.concat(await collect(stream)).toString()).toBe('grüße und !');
  });

  it('throws the stream’s error, and a premature close when it is destroyed before its end', async () => {
    const failing = new PassThrough();
    failing.write('partial');
    setTimeout(() => failing.destroy(new Error('disk gone')), 5);
    await expect(collect(failing)).rejects.toThrow('disk gone');

    const closed = new PassThrough();
    setTimeout(() => closed.destroy(), 5);
    await expect(collect(closed)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('destroys the stream when the loop is left early, and not when it ran to the end', async () => {
    const stream = new PassThrough();
    stream.write('one');
    stream.write('two');
    for await (const chunk of chunksOf(stream)) {
      expect(chunk.toString()).toBe('one');
      break;
    }
    expect(stream.destroyed).toBe(true);

    const complete = Readable.from([Buffer.from('a'), Buffer.from('b')]);
    expect(Buffer.concat(await collect(complete)).toString()).toBe('ab');
    expect(complete.readableEnded).toBe(true);
  });

  it('yields nothing for an empty stream', async () => {
    expect(await collect(Readable.from([]))).toEqual([]);
  });
});
