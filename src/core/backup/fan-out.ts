import { PassThrough, type Readable } from 'node:stream';

export interface FanOutBranch {
  /** The stream a consumer reads; it ends when the source ends. */
  readonly stream: Readable;
  /**
   * Detaches this branch after its consumer failed, so the other branches keep going. The branch
   * is destroyed without an error: its consumer already knows why it stopped.
   */
  abandon(): void;
}

/**
 * Copies one source stream to several consumers with shared backpressure: the source pauses until
 * the slowest live branch has drained, so memory stays bounded by the branches' high-water marks.
 * A consumer that fails is abandoned without stopping the others. A source error is passed to
 * every live branch.
 */
export function fanOut(source: Readable, branchCount: number, highWaterMark = 1024 * 1024): FanOutBranch[] {
  const live = new Set<PassThrough>();
  const branches = Array.from({ length: branchCount }, () => {
    const stream = new PassThrough({ highWaterMark });
    live.add(stream);
    return {
      stream,
      abandon() {
        if (!live.delete(stream)) return;
        stream.destroy();
        resumeIfDrained();
        if (live.size === 0) source.destroy();
      },
    };
  });

  let waitingFor = 0;
  function resumeIfDrained(): void {
    waitingFor = [...live].filter((stream) => stream.writableNeedDrain).length;
    if (waitingFor === 0) source.resume();
  }

  source.on('data', (chunk: Buffer) => {
    for (const stream of live) stream.write(chunk);
    const blocked = [...live].filter((stream) => stream.writableNeedDrain);
    if (blocked.length === 0) return;
    source.pause();
    waitingFor = blocked.length;
    for (const stream of blocked) stream.once('drain', resumeIfDrained);
  });
  source.once('end', () => {
    for (const stream of live) stream.end();
  });
  source.once('error', (error) => {
    for (const stream of live) stream.destroy(error);
    live.clear();
  });
  return branches;
}
