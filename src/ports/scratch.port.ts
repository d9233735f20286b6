import type { Readable, Writable } from 'node:stream';

/** Private temporary files (mode 0600) for work that must see a whole file before acting on it. */
export interface ScratchSpace {
  create(purpose: string): Promise<ScratchFile>;
}

export interface ScratchFile {
  readonly path: string;
  writer(): Writable;
  /** Reads from `start` (default 0) to `end` inclusive (default: the end of the file). */
  reader(range?: { start?: number; end?: number }): Readable;
  /** Removing twice, or a file that is already gone, is fine. */
  remove(): Promise<void>;
}
