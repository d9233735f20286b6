import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { fanOut } from './fan-out.ts';

function chunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 256));
}

function collector(delayMs = 0) {
  const received: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      received.push(chunk);
      if (delayMs) setTimeout(done, delayMs); else done();
    },
  });
  return { sink, bytes: () => Buffer.concat(received) };
}

describe('fanOut', () => {
  it('delivers every byte to every branch in order', async () => {
    const data = chunks(50, 10_000);
    const [a, b] = fanOut(Readable.from(data), 2, 16_384);
    const left = collector();
    const right = collector(1);
    await Promise.all([pipeline(a!.stream, left.sink), pipeline(b!.stream, right.sink)]);
    expect(left.bytes().equals(Buffer.concat(data))).toBe(true);
    expect(right.bytes().equals(Buffer.concat(data))).toBe(true);
  });

  it('holds the source back to the slowest branch', async () => {
    let produced = 0;
    const source = new Readable({
      highWaterMark: 1024,
      read() { produced += 1024; this.push(produced > 2_000_000 ? null : Buffer.alloc(1024)); },
    });
    const [fast, slow] = fanOut(source, 2, 8192);
    void pipeline(fast!.stream, collector().sink);
    slow!.stream.pause();
    await sleep(100);
    // The paused branch buffers at most its high-water mark plus a chunk, so the source stops early.
    expect(produced).toBeLessThan(64 * 1024);
    slow!.abandon();
  });

  it('lets the other branches finish when one consumer fails', async () => {
    const data = chunks(20, 5000);
    const [good, bad] = fanOut(Readable.from(data), 2, 4096);
    const ok = collector();
    const failing = new Writable({ write(_c, _e, done) { done(new Error('destination down')); } });
    const badRun = pipeline(bad!.stream, failing).catch((error: unknown) => { bad!.abandon(); throw error; });
    await expect(badRun).rejects.toThrow('destination down');
    await pipeline(good!.stream, ok.sink);
    expect(ok.bytes().equals(Buffer.concat(data))).toBe(true);
  });

  it('fails every branch when the source fails', async () => {
    const source = new Readable({ read() { this.destroy(new Error('pg_dump crashed')); } });
    const [a, b] = fanOut(source, 2);
    const runs = [pipeline(a!.stream, collector().sink), pipeline(b!.stream, collector().sink)];
    await expect(runs[0]).rejects.toThrow('pg_dump crashed');
    await expect(runs[1]).rejects.toThrow('pg_dump crashed');
  });
});
