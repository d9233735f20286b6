import { Readable } from 'node:stream';
import { DropboxResponseError, type files } from 'dropbox';
import { AsyncContentHasher } from '../../../core/content-hash.ts';
import { DBackupError, cancelledError } from '../../../core/errors.ts';
import type { ReadOptions } from '../../../ports/destination.port.ts';
import { CONTENT_URL, headerSafeJson, type DropboxContext } from './dropbox-context.ts';
import { classifyDropboxFailure, exhaustedError } from './dropbox.errors.ts';

interface OpenedDownload {
  response: Response;
  metadata: files.FileMetadata;
}

/**
 * One `files/download` request with our own fetch (the SDK buffers whole files), starting at
 * byte `start`. Non-2xx answers become the SDK's `DropboxResponseError` so that
 * `dropbox.errors.ts` classifies them like every other call.
 */
async function requestDownload(context: DropboxContext, path: string, start: number, accessToken: string, signal: AbortSignal): Promise<OpenedDownload> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${accessToken}`,
    'Dropbox-API-Arg': headerSafeJson({ path }),
  };
  if (start > 0) headers.Range = `bytes=${start}-`;
  const response = await context.fetch(`${CONTENT_URL}/files/download`, { method: 'POST', headers, signal });
  if (!response.ok) {
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Plain-text errors (HTTP 400) stay text.
    }
    throw new DropboxResponseError(response.status, response.headers, body);
  }
  const result = response.headers.get('dropbox-api-result');
  const metadata = result === null ? undefined : (JSON.parse(result) as files.FileMetadata);
  if (metadata === undefined || typeof metadata.size !== 'number') {
    await response.body?.cancel();
    throw new DBackupError('internal', `Dropbox sent ${path} without its metadata (Dropbox-API-Result header).`);
  }
  if (start > 0) {
    const range = /^bytes (\d+)-\d+\/\d+$/.exec(response.headers.get('content-range') ?? '');
    if (response.status !== 206 || range === null || Number(range[1]) !== start) {
      await response.body?.cancel();
      throw new DBackupError('transient', `Dropbox did not honour the byte range for ${path} (HTTP ${response.status}).`);
    }
  }
  return { response, metadata };
}

async function openAt(context: DropboxContext, path: string, start: number, signal: AbortSignal): Promise<OpenedDownload> {
  return context.retrier.run({ operation: 'files/download', path, signal }, (token) => requestDownload(context, path, start, token, signal));
}

/**
 * Streams the file at `path`, from `offset` when given. Throws `not_found` before returning
 * when there is no file. A connection that breaks mid-body is resumed with
 * `Range: bytes=<received>-` (bounded retries, reset whenever bytes arrived); the file must keep
 * its revision across resumes. At the end the byte count is checked, and (when reading from the
 * start) the Dropbox content hash; a mismatch fails the stream with `integrity`. Destroying the
 * stream or firing `signal` aborts the transfer (`cancelled`).
 */
export async function openDownloadStream(context: DropboxContext, path: string, options: ReadOptions = {}): Promise<Readable> {
  const offset = options.offset ?? 0;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let opened: OpenedDownload;
  try {
    opened = await openAt(context, path, offset, signal);
  } catch (error) {
    if (offset > 0 && error instanceof DBackupError && error.details.status === 416) return emptyAtEnd(context, path, offset, options.signal);
    throw error;
  }
  const { metadata } = opened;
  const expected = metadata.size - offset;
  const policy = context.settings.retry;

  async function* body(): AsyncGenerator<Uint8Array> {
    // Block hashes run on a worker thread, so the event loop keeps receiving meanwhile.
    const hasher = offset === 0 ? new AsyncContentHasher() : undefined;
    let received = 0;
    let response: Response | undefined = opened.response;
    let failures = 0;
    try {
      for (;;) {
        const before = received;
        try {
          if (response.body !== null) {
            for await (const piece of response.body as AsyncIterable<Uint8Array>) {
              received += piece.length;
              if (received > expected) throw integrity(`Dropbox sent more bytes than the file's size (${metadata.size}) for ${path}.`);
              const hashing = hasher?.update(piece);
              if (hashing !== undefined) await hashing;
              options.onProgress?.(received);
              yield piece;
            }
          }
          break;
        } catch (error) {
          if (options.signal?.aborted) throw cancelledError(options.signal.reason);
          if (error instanceof DBackupError) throw error;
          const failure = classifyDropboxFailure(error, { operation: 'files/download', path, signal: options.signal });
          if (failure.action !== 'retry') throw failure.error;
          failures = received > before ? 1 : failures + 1;
          if (failures >= policy.maxAttempts) throw exhaustedError(failure, failures, { operation: 'files/download', path, apiBaseUrl: context.apiBaseUrl });
          const waitMs = failure.waitMs ?? Math.min(policy.baseDelayMs * 2 ** (failures - 1), policy.maxDelayMs);
          context.logger?.warn(`Dropbox download of ${path} broke after ${offset + received} bytes; resuming in ${waitMs} ms.`, {
            operation: 'files/download',
            code: failure.error.code,
            attempt: failures,
            waitMs,
          });
          await context.sleep(waitMs, options.signal);
          response = undefined;
          const resumed = await openAt(context, path, offset + received, signal);
          if (resumed.metadata.rev !== metadata.rev) {
            await resumed.response.body?.cancel();
            throw integrity(`${path} changed in Dropbox while it was being read; read it again.`);
          }
          response = resumed.response;
        }
      }
      if (received !== expected) throw integrity(`Dropbox sent ${received} of ${expected} bytes for ${path}.`);
      if (hasher !== undefined && metadata.content_hash !== undefined && (await hasher.digest()) !== metadata.content_hash) {
        throw integrity(`The data read from Dropbox for ${path} does not match its content hash.`);
      }
    } finally {
      // Consumer stopped early, or we failed: release the connection.
      stop.abort();
      await response?.body?.cancel().catch(() => undefined);
    }
  }

  return Readable.from(body(), { objectMode: false });
}

function integrity(message: string): DBackupError {
  return new DBackupError('integrity', message, { retryable: true });
}

/** Reading from exactly the end of a file yields nothing; beyond the end is an input error. */
async function emptyAtEnd(context: DropboxContext, path: string, offset: number, signal: AbortSignal | undefined): Promise<Readable> {
  const file = await context.retrier.run({ operation: 'files/get_metadata', path, signal }, async () => (await context.client.filesGetMetadata({ path }, { signal })).result);
  if (file['.tag'] === 'file' && file.size === offset) return Readable.from([], { objectMode: false });
  throw new DBackupError('invalid_input', `Cannot read ${path} from byte ${offset}: the file is shorter.`);
}

/**
 * Reads a small file as UTF-8 text. The size in the download's metadata is checked before the
 * body is read: above `maxBytes` → `too_large` without transferring it. Retried as a whole.
 */
export async function downloadText(context: DropboxContext, path: string, maxBytes: number, signal?: AbortSignal): Promise<string> {
  return context.retrier.run({ operation: 'files/download', path, signal }, async (token) => {
    const stop = new AbortController();
    const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    const { response, metadata } = await requestDownload(context, path, 0, token, combined);
    if (metadata.size > maxBytes) {
      stop.abort();
      throw new DBackupError('too_large', `${path} is ${metadata.size} bytes, more than the ${maxBytes} bytes allowed for a text read.`, {
        retryable: false,
        details: { size: metadata.size, maxBytes },
      });
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length !== metadata.size) throw new DBackupError('transient', `Dropbox sent ${bytes.length} of ${metadata.size} bytes for ${path}.`);
    return bytes.toString('utf8');
  });
}
