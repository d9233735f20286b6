import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { patternBytes } from '../crypto/crypto.test-helpers.ts';
import { createFrameEngines } from './frame-engines.ts';

const zstdParams = { [zlib.constants.ZSTD_c_checksumFlag]: 1 };

function counted<E>(create: () => E): { create: () => E; engines: E[] } {
  const engines: E[] = [];
  return { create: () => (engines.push(create()), engines.at(-1)!), engines };
}

function blocks(): Buffer[] {
  const text = Buffer.from('INSERT INTO t VALUES (1);\n'.repeat(20_000));
  return [text, patternBytes(300_000, 1), Buffer.alloc(0), Buffer.from('x'), text.subarray(7), patternBytes(70_000, 2)];
}

describe('createFrameEngines', () => {
  it('zstd: every block becomes a complete frame on its own, with a content checksum, on reused engines', async () => {
    const { create, engines } = counted(() => zlib.createZstdCompress({ params: zstdParams, chunkSize: 64 * 1024 }));
    const compressor = createFrameEngines(create, zlib.constants.ZSTD_e_end);
    for (let round = 0; round < 3; round++) {
      const inputs = blocks();
      const frames = await Promise.all(inputs.map((block) => compressor.compress(block))); // six at once
      frames.forEach((pieces, i) => {
        const frame = Buffer.concat(pieces);
        expect(frame.readUInt32LE(0)).toBe(0xfd2fb528);
        expect((frame[4] ?? 0) & 0b100).toBe(0b100);
        expect(zlib.zstdDecompressSync(frame).equals(inputs[i]!)).toBe(true);
      });
    }
    expect(engines.length).toBe(6);
    compressor.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(engines.every((engine) => engine.destroyed)).toBe(true);
  });

  it('gzip: every block becomes a complete member (the engine is reset in between)', async () => {
    const { create, engines } = counted(() => zlib.createGzip({ chunkSize: 64 * 1024 }) as zlib.Gzip & zlib.ZlibReset);
    const compressor = createFrameEngines(create, zlib.constants.Z_FINISH, (engine) => engine.reset());
    const inputs = [...blocks(), ...blocks()];
    for (const block of inputs) {
      const member = Buffer.concat(await compressor.compress(block)); // one at a time: one engine
      expect(zlib.gunzipSync(member).equals(block)).toBe(true);
    }
    expect(engines.length).toBe(1);
    compressor.close();
  });

  it('rejects the block of an engine that fails, and replaces that engine', async () => {
    let broken = true;
    const { create, engines } = counted(() => {
      const engine = zlib.createZstdCompress({ params: zstdParams });
      if (broken) engine.destroy(new Error('engine broke'));
      broken = false;
      return engine;
    });
    const compressor = createFrameEngines(create, zlib.constants.ZSTD_e_end);
    await expect(compressor.compress(Buffer.from('hello'))).rejects.toThrow('engine broke');
    const frame = Buffer.concat(await compressor.compress(Buffer.from('hello')));
    expect(zlib.zstdDecompressSync(frame).toString()).toBe('hello');
    expect(engines.length).toBe(2);
    compressor.close();
    await expect(compressor.compress(Buffer.from('late'))).rejects.toThrow(/closed/);
  });

  it('destroys an engine that is still working when closed, once its block is done', async () => {
    const { create, engines } = counted(() => zlib.createZstdCompress({ params: zstdParams }));
    const compressor = createFrameEngines(create, zlib.constants.ZSTD_e_end);
    const pending = compressor.compress(patternBytes(1_000_000, 3));
    compressor.close();
    expect(zlib.zstdDecompressSync(Buffer.concat(await pending)).length).toBe(1_000_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(engines[0]?.destroyed).toBe(true);
  });
});
