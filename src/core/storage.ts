import { PassThrough, finished, type Readable } from 'node:stream';
import type { Destination, DestinationCapabilities, StoredFile } from '../ports/destination.port.ts';
import { DBackupError, cancelledError, throwIfAborted } from './errors.ts';
import { assertStorageKey, normalizeFolderPath, normalizePrefix } from './storage-key.ts';

/**
 * The storage facade every caller uses in front of a destination adapter.
 *
 * - Validates every key (and `list` prefix, browse folder, offset, size, maxBytes) before the
 *   adapter sees it; a bad argument rejects with `invalid_input` and the adapter is not called.
 * - Passes `DBackupError`s through unchanged and rewraps anything else as `transient` (network
 *   error codes) or `internal`, keeping the original as `cause`; a failure after the caller's
 *   signal fired becomes `cancelled`. This also covers errors a read stream emits later.
 * - Read streams stop with `cancelled` when the signal fires, whatever the adapter does.
 * - Capabilities the adapter has are passed through with the same checks; absent ones stay absent.
 */
export function createStorage(destination: Destination): Destination {
  const kind = destination.kind;

  async function guard<T>(what: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    throwIfAborted(signal);
    try {
      return await run();
    } catch (error) {
      throw toStorageError(error, what, kind, signal);
    }
  }

  return {
    kind,
    async write(key, source, options) {
      assertStorageKey(key);
      assertCount('size', options?.size);
      return guard(`Writing ${quote(key)}`, options?.signal, () => destination.write(key, source, options));
    },
    async read(key, options) {
      assertStorageKey(key);
      assertCount('offset', options?.offset);
      const what = `Reading ${quote(key)}`;
      const stream = await guard(what, options?.signal, () => destination.read(key, options));
      return guardReadStream(stream, what, kind, options?.signal);
    },
    async stat(key, options) {
      assertStorageKey(key);
      return guard(`Checking ${quote(key)}`, options?.signal, () => destination.stat(key, options));
    },
    async *list(prefix, options): AsyncGenerator<StoredFile> {
      const normalized = normalizePrefix(prefix);
      const what = `Listing ${normalized === '' ? 'all files' : quote(normalized)}`;
      throwIfAborted(options?.signal);
      try {
        yield* destination.list(normalized, options);
      } catch (error) {
        throw toStorageError(error, what, kind, options?.signal);
      }
    },
    async delete(key, options) {
      assertStorageKey(key);
      return guard(`Deleting ${quote(key)}`, options?.signal, () => destination.delete(key, options));
    },
    async readText(key, options) {
      assertStorageKey(key);
      assertCount('maxBytes', options?.maxBytes);
      return guard(`Reading ${quote(key)}`, options?.signal, () => destination.readText(key, options));
    },
    capabilities: wrapCapabilities(destination.capabilities, guard),
  };
}

type Guard = <T>(what: string, signal: AbortSignal | undefined, run: () => Promise<T>) => Promise<T>;

function wrapCapabilities(caps: DestinationCapabilities, guard: Guard): DestinationCapabilities {
  const wrapped: DestinationCapabilities = {};
  const { contentHash, usage, browseFolders, testConnection, removeAbandonedWrites } = caps;
  if (contentHash) {
    wrapped.contentHash = async (key, options) => {
      assertStorageKey(key);
      return guard(`Hashing ${quote(key)}`, options?.signal, () => contentHash(key, options));
    };
  }
  if (usage) wrapped.usage = async (options) => guard('Reading storage usage', options?.signal, () => usage(options));
  if (browseFolders) {
    wrapped.browseFolders = async (folder, options) => {
      const normalized = normalizeFolderPath(folder);
      const what = `Browsing ${normalized === '' ? 'the root folder' : quote(normalized)}`;
      return guard(what, options?.signal, () => browseFolders(normalized, options));
    };
  }
  if (testConnection) {
    wrapped.testConnection = async (options) => guard('Testing the connection', options?.signal, () => testConnection(options));
  }
  if (removeAbandonedWrites) {
    wrapped.removeAbandonedWrites = async (key, options) => {
      assertStorageKey(key);
      return guard(`Cleaning up interrupted writes of ${quote(key)}`, options?.signal, () => removeAbandonedWrites(key, options));
    };
  }
  return wrapped;
}

// Error codes (Node system errors, undici) that mean "the network hiccuped; trying again can help".
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH',
  'ENETDOWN', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The system error code of `error` or of one of its causes (fetch wraps them in `cause`). */
function systemCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return code;
  }
  return undefined;
}

/**
 * Turns any failure of a storage operation into a `DBackupError`: `DBackupError`s pass through,
 * failures after `signal` fired (or `AbortError`s) become `cancelled`, network error codes become
 * retryable `transient`, everything else `internal`. The original is kept as `cause`.
 */
export function toStorageError(error: unknown, what: string, kind: string, signal?: AbortSignal): DBackupError {
  if (error instanceof DBackupError) return error;
  if (signal?.aborted || (error instanceof Error && error.name === 'AbortError')) return cancelledError(error);
  const detail = error instanceof Error ? error.message : String(error);
  const code = systemCode(error);
  if (code !== undefined) {
    return new DBackupError(
      'transient',
      `${what} on the ${kind} destination failed because of a temporary network problem (${code}). ` +
        'DBackup retries such failures; if it keeps happening, check the connection.',
      { cause: error },
    );
  }
  return new DBackupError('internal', `${what} on the ${kind} destination failed: ${detail}. The log has the details.`, {
    cause: error,
  });
}

/**
 * Passes the adapter's read stream through, rewrapping its errors (including a premature close)
 * and stopping it with `cancelled` when the signal fires. Destroying the returned stream destroys
 * the adapter's stream, so an abandoned download releases its file handle or connection.
 */
function guardReadStream(source: Readable, what: string, kind: string, signal: AbortSignal | undefined): Readable {
  const out = new PassThrough();
  const onAbort = (): void => {
    out.destroy(cancelledError(signal?.reason));
  };
  finished(source, (error) => {
    if (error) out.destroy(toStorageError(error, what, kind, signal));
  });
  out.on('close', () => {
    signal?.removeEventListener('abort', onAbort);
    if (!source.destroyed) source.destroy();
  });
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  source.pipe(out);
  return out;
}

function assertCount(name: string, value: number | undefined): void {
  if (value === undefined || (Number.isSafeInteger(value) && value >= 0)) return;
  throw new DBackupError('invalid_input', `Invalid ${name} ${String(value)}: it must be a whole number of bytes, 0 or more.`);
}

function quote(path: string): string {
  return JSON.stringify(path);
}
