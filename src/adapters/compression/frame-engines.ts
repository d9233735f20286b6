import type { Transform } from 'node:stream';
import type zlib from 'node:zlib';

/** Turns blocks into complete, independently decodable frames (zstd) or members (gzip). */
export interface BlockCompressor {
  /**
   * Compresses one block into one complete frame, returned in pieces in order. Its caller runs at
   * most as many calls at once as the compressor was made for, and reuses the block's memory once
   * the promise settles, so no piece may point into the block.
   */
  compress(block: Buffer): Promise<Buffer[]>;
  /** Frees the engines; an engine still working is freed when its block is done. Idempotent. */
  close(): void;
}

type Engine = Transform & zlib.Zlib;

interface Slot<E extends Engine> {
  engine: E;
  /** Output of the frame in progress. */
  pieces: Buffer[];
  /** Fails the frame in progress, if any. */
  fail: (error: Error) => void;
}

/**
 * Long-lived node:zlib engines, one per concurrent block, each turning one block at a time into a
 * complete frame: write the block, then flush with `endFrame` (zstd: `ZSTD_e_end`; gzip:
 * `Z_FINISH`, after which `afterFrame` resets the engine so the next block starts a new member). The
 * work runs in the libuv thread pool. Reusing engines allocates their working memory once per
 * engine instead of once per block (zstd level 3: about 3 MiB; gzip: about 300 KiB; plus the
 * engine's output buffer of its `chunkSize`), which keeps both the garbage and the resident size of
 * the process down (measured: one-shot `zlib.zstdCompress` per block cost about 20 MiB more peak
 * RSS), and the output pieces are slices of the engine's output buffers, not copies. An engine
 * that fails is dropped and its block's promise rejects.
 */
export function createFrameEngines<E extends Engine>(createEngine: () => E, endFrame: number, afterFrame?: (engine: E) => void): BlockCompressor {
  const idle: Slot<E>[] = [];
  let closed = false;

  function newSlot(): Slot<E> {
    const slot: Slot<E> = { engine: createEngine(), pieces: [], fail: () => undefined };
    slot.engine.on('data', (piece: Buffer) => slot.pieces.push(piece));
    slot.engine.on('error', (error: Error) => slot.fail(error));
    return slot;
  }

  return {
    compress(block) {
      if (closed) return Promise.reject(new Error('the compressor is closed'));
      const slot = idle.pop() ?? newSlot();
      return new Promise<Buffer[]>((resolve, reject) => {
        let settled = false;
        const finish = (error?: Error | null) => {
          if (settled) return;
          settled = true;
          slot.fail = () => undefined;
          const pieces = slot.pieces;
          slot.pieces = [];
          try {
            if (error) throw error;
            // All output of a flush is emitted before its callback, as the engine never pauses.
            if (slot.engine.readableLength !== 0) throw new Error('the engine held back output at the end of a frame');
            afterFrame?.(slot.engine);
          } catch (failure) {
            slot.engine.destroy();
            reject(failure as Error);
            return;
          }
          if (closed) slot.engine.destroy();
          else idle.push(slot);
          resolve(pieces);
        };
        slot.fail = finish;
        if (block.length > 0) slot.engine.write(block);
        slot.engine.flush(endFrame, finish);
      });
    },
    close() {
      closed = true;
      for (const slot of idle.splice(0)) slot.engine.destroy();
    },
  };
}
