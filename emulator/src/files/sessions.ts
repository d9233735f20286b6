import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentHasher } from '../../../src/core/content-hash.ts';
import type { Clock } from '../clock.ts';
import { newUploadSessionId, randomToken } from '../ids.ts';

/** Dropbox's cap on a file uploaded through a session: 2^41 − 2^22 bytes. */
export const MAX_SESSION_BYTES = 2 ** 41 - 2 ** 22;
/** Concurrent sessions take data in multiples of this (except the closing append). */
export const CONCURRENT_CHUNK = 4 * 1024 * 1024;

/**
 * One upload session. Sequential sessions grow by appends at `size`; concurrent ones take 4 MiB
 * aligned chunks in any order into a sparse file. Operations on a session are serialized with
 * `withLock`. The data file sits in the blob directory so a successful finish can adopt it.
 */
export interface UploadSession {
  id: string;
  email: string;
  appKey: string;
  concurrent: boolean;
  blob: string;
  /** Sequential: bytes received. Concurrent: highest chunk end seen. */
  size: number;
  closed: boolean;
  /** Concurrent: total length, known once the closing append arrived. */
  closeEnd: number | undefined;
  /** Concurrent: chunk offset → length. */
  chunks: Map<number, number>;
  /** Sequential: running content hash, dropped (undefined) once an append failed midway. */
  hasher: ContentHasher | undefined;
  /** Content hash of the complete data, computed at most once per state. */
  cachedHash: string | undefined;
  expiresAt: number;
  lock: Promise<void>;
}

export interface SessionStore {
  create(owner: { email: string; appKey: string }, concurrent: boolean, hasher: ContentHasher | undefined): UploadSession;
  /** The live session with this id owned by `email`, or undefined (unknown, expired, finished). */
  get(id: string, email: string): UploadSession | undefined;
  /** Forgets a session; deletes its data unless a committed file adopted it. */
  remove(session: UploadSession, keepBlob: boolean): void;
  clear(): void;
}

export async function withLock<T>(session: UploadSession, work: () => Promise<T>): Promise<T> {
  const previous = session.lock;
  let release!: () => void;
  session.lock = new Promise<void>((resolve) => {
    release = resolve;
  });
  await previous;
  try {
    return await work();
  } finally {
    release();
  }
}

export function createSessionStore(clock: Clock, options: { ttlSeconds: number; blobDir: string }): SessionStore {
  const sessions = new Map<string, UploadSession>();

  function discard(session: UploadSession, keepBlob: boolean): void {
    sessions.delete(session.id);
    if (!keepBlob) unlink(session.blob).catch(() => undefined);
  }

  return {
    create(owner, concurrent, hasher) {
      const session: UploadSession = {
        id: newUploadSessionId(),
        email: owner.email,
        appKey: owner.appKey,
        concurrent,
        blob: join(options.blobDir, `session-${randomToken(12)}`),
        size: 0,
        closed: false,
        closeEnd: undefined,
        chunks: new Map(),
        hasher,
        cachedHash: undefined,
        expiresAt: clock.now() + options.ttlSeconds * 1000,
        lock: Promise.resolve(),
      };
      sessions.set(session.id, session);
      return session;
    },
    get(id, email) {
      const now = clock.now();
      for (const s of sessions.values()) if (s.expiresAt <= now) discard(s, false);
      const session = sessions.get(id);
      return session && session.email === email ? session : undefined;
    },
    remove: discard,
    clear() {
      for (const s of [...sessions.values()]) discard(s, false);
    },
  };
}
