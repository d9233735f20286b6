import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of blocks in shared memory, computed on one worker thread per process, so a fast
 * download hashes on the other core while the event loop keeps receiving.
 *
 * Why not WebCrypto in the thread pool: it copies every block into freshly allocated memory, and
 * the page faults of those copies cost about as much CPU as the hash itself. Here the caller copies
 * into a SharedArrayBuffer it reuses, and the worker reads it in place: no allocation per block.
 *
 * The worker is started on first use and holds the process open only while blocks are pending.
 */
// Dynamic imports, so the code runs whether Node evaluates it as CommonJS or as a module.
const WORKER_SOURCE = `
Promise.all([import('node:worker_threads'), import('node:crypto')]).then(([{ parentPort }, { createHash }]) => {
  parentPort.on('message', ({ id, buffer, length }) => {
    try {
      parentPort.postMessage({ id, digest: createHash('sha256').update(new Uint8Array(buffer, 0, length)).digest() });
    } catch (error) {
      parentPort.postMessage({ id, error: String((error && error.message) || error) });
    }
  });
});
`;

interface Pending {
  resolve(digest: Uint8Array): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

function failAll(error: Error): void {
  worker = undefined;
  for (const waiting of pending.values()) waiting.reject(error);
  pending.clear();
}

function ensureWorker(): Worker {
  if (worker !== undefined) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], name: 'dbackup-block-hash' });
  started.on('message', (message: { id: number; digest?: Uint8Array; error?: string }) => {
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    if (pending.size === 0) started.unref();
    if (message.digest !== undefined) waiting.resolve(new Uint8Array(message.digest));
    else waiting.reject(new Error(`block hash failed: ${message.error ?? 'unknown error'}`));
  });
  started.on('error', (error) => failAll(error));
  started.on('exit', (code) => {
    if (worker === started) failAll(new Error(`the block hash worker stopped (exit code ${code})`));
  });
  started.unref();
  worker = started;
  return started;
}

/**
 * SHA-256 of the first `length` bytes of `buffer`, computed on the worker thread. The caller must
 * leave those bytes unchanged until the promise settles.
 */
export function hashSharedBlock(buffer: SharedArrayBuffer, length: number): Promise<Uint8Array> {
  const target = ensureWorker();
  const id = nextId++;
  return new Promise<Uint8Array>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    target.ref();
    target.postMessage({ id, buffer, length });
  });
}
