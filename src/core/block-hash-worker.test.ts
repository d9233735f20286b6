import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hashSharedBlock } from './block-hash-worker.ts';

const run = promisify(execFile);
const MODULE = fileURLToPath(new URL('./block-hash-worker.ts', import.meta.url));

describe('hashSharedBlock', () => {
  it('computes the SHA-256 of the first `length` bytes of a shared buffer, many blocks at once', async () => {
    const blocks = Array.from({ length: 6 }, (_, index) => {
      const shared = new SharedArrayBuffer(100_000);
      new Uint8Array(shared).fill(index * 7 + 1);
      return { shared, length: 1000 + index * 10_000 };
    });
    const digests = await Promise.all(blocks.map((block) => hashSharedBlock(block.shared, block.length)));
    digests.forEach((digest, index) => {
      const block = blocks[index]!;
      const expected = createHash('sha256').update(new Uint8Array(block.shared, 0, block.length)).digest();
      expect(Buffer.from(digest).equals(expected)).toBe(true);
    });
  });

  it('keeps a process alive while a block is pending, and lets it exit once nothing is', async () => {
    // The worker is unref'd when idle: a process whose only work is a pending hash must still
    // get its answer, and must then exit by itself (this call would time out otherwise).
    const script = `import { hashSharedBlock } from ${JSON.stringify(MODULE)};
      const shared = new SharedArrayBuffer(8);
      hashSharedBlock(shared, 8).then((digest) => console.log(Buffer.from(digest).toString('hex')));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(stdout.trim()).toBe(createHash('sha256').update(Buffer.alloc(8)).digest('hex'));
  });
});
