import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupTransforms } from '../../ports/backup-transforms.port.ts';
import type { Clock } from '../../ports/clock.port.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { DatabaseSource } from '../../ports/source.port.ts';
import { HashingPassThrough } from '../content-hash.ts';
import { DBackupError, cancelledError, isDBackupError } from '../errors.ts';
import { joinKey } from '../storage-key.ts';
import { backupFileName, sidecarKeyFor, type CompressionKind } from './backup-naming.ts';
import { fanOut } from './fan-out.ts';
import { SIDECAR_FORMAT_VERSION, serializeSidecar, type BackupSidecar } from './sidecar.ts';

export interface BackupTarget {
  id: string;
  name: string;
  /** Already wrapped by the storage facade. */
  storage: Destination;
}

export interface BackupRequest {
  job: { id: string; name: string; folderName: string; compression: CompressionKind };
  source: DatabaseSource;
  /** Source type as configured (`postgres`, `mysql`, `sqlite`), for the sidecar. */
  sourceType: string;
  database: string;
  targets: BackupTarget[];
  encryption?: { profileId: string; key: Uint8Array };
  signal?: AbortSignal;
}

export interface BackupProgress {
  /** Dump bytes read so far, before compression. */
  dumpBytes: number;
}

export interface BackupDependencies {
  transforms: BackupTransforms;
  clock: Clock;
  appVersion: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Told the key before any byte is written, so a crash can be cleaned up after restart. */
  onPlanned?: (key: string) => void | Promise<void>;
  onProgress?: (progress: BackupProgress) => void;
}

export interface TargetResult {
  targetId: string;
  status: 'success' | 'failed';
  key: string;
  error?: DBackupError;
}

export interface BackupOutcome {
  key: string;
  startedAt: Date;
  endedAt: Date;
  /** Present when the dump completed; every successful target holds exactly this sidecar. */
  sidecar?: BackupSidecar;
  results: TargetResult[];
  /** Set when the dump or a transform failed, which fails every target. */
  error?: DBackupError;
}

/**
 * Backs one database up to every target in a single streaming pass: dump → compress → encrypt →
 * hash → each destination. A target succeeds only when its file AND its sidecar are committed and
 * the file's content hash matches what was sent; a target that fails keeps nothing of this backup.
 * Never throws for a target failure: the outcome says what happened per target.
 */
export async function runBackup(request: BackupRequest, deps: BackupDependencies): Promise<BackupOutcome> {
  const startedAt = deps.clock.now();
  const key = joinKey(request.job.folderName, backupFileName(startedAt, request.job.compression, request.encryption !== undefined));
  await deps.onPlanned?.(key);

  const dump = await request.source.dump(request.database, { signal: request.signal });
  deps.log('info', `Dumping ${request.database} with ${dump.tool} ${dump.toolVersion} (${dump.engine} ${dump.serverVersion}).`);
  const counter = new ByteCounter((dumpBytes) => deps.onProgress?.({ dumpBytes }));
  const compress = deps.transforms.compress(request.job.compression);
  const encryption = request.encryption ? deps.transforms.encrypt(request.encryption.key) : undefined;
  const hashing = new HashingPassThrough();
  const stages = [dump.stream, counter, compress, ...(encryption ? [encryption.stream] : []), hashing];

  const branches = fanOut(hashing, request.targets.length);
  const writes = request.targets.map(async (target, index) => {
    const branch = branches[index]!;
    try {
      const stored = await target.storage.write(key, branch.stream, { signal: request.signal, blockDigests: hashing.blockDigests });
      return { target, stored };
    } catch (error) {
      branch.abandon();
      throw error;
    }
  });
  // Observe the writes now: one may fail long before the dump ends.
  const settlement = Promise.allSettled(writes);
  const chainError = await pipeline(stages, { signal: request.signal }).then(
    () => undefined,
    (error: unknown) => (request.signal?.aborted ? abortError(request.signal, error) : asBackupError(error, 'The dump could not be completed.')),
  );
  const settled = await settlement;
  const endedAt = deps.clock.now();

  if (chainError) {
    await Promise.all(settled.map(async (result) => {
      if (result.status === 'fulfilled') await removeQuietly(result.value.target.storage, key, deps);
    }));
    return { key, startedAt, endedAt, error: chainError, results: request.targets.map((target) => ({ targetId: target.id, status: 'failed', key, error: chainError })) };
  }

  const hashes = hashing.result;
  const sidecar: BackupSidecar = {
    formatVersion: SIDECAR_FORMAT_VERSION,
    appVersion: deps.appVersion,
    job: { id: request.job.id, name: request.job.name },
    source: { type: request.sourceType, engine: dump.engine, engineVersion: dump.serverVersion, dumpTool: dump.tool, dumpToolVersion: dump.toolVersion },
    database: request.database,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    originalSize: counter.bytes,
    storedSize: hashes.bytes,
    sha256: hashes.sha256,
    contentHash: hashes.contentHash,
    compression: request.job.compression,
    encryption: encryption && request.encryption ? { profileId: request.encryption.profileId, ...encryption.description } : null,
  };

  const results = await Promise.all(settled.map(async (result, index): Promise<TargetResult> => {
    const target = request.targets[index]!;
    if (result.status === 'rejected') {
      return { targetId: target.id, status: 'failed', key, error: asBackupError(result.reason, `Writing to ${target.name} failed.`) };
    }
    const { stored } = result.value;
    try {
      if (stored.size !== hashes.bytes || (stored.contentHash !== undefined && stored.contentHash !== hashes.contentHash)) {
        throw new DBackupError('integrity', `${target.name} stored ${stored.size} bytes with content hash ${stored.contentHash ?? 'unknown'}, but ${hashes.bytes} bytes with hash ${hashes.contentHash} were sent. The copy was removed; run the backup again.`);
      }
      await target.storage.write(sidecarKeyFor(key), Readable.from([Buffer.from(serializeSidecar(sidecar))]), { signal: request.signal });
      deps.log('info', `Stored ${key} (${hashes.bytes} bytes) and its sidecar on ${target.name}.`);
      return { targetId: target.id, status: 'success', key };
    } catch (error) {
      await removeQuietly(target.storage, key, deps);
      return { targetId: target.id, status: 'failed', key, error: asBackupError(error, `Finishing the backup on ${target.name} failed.`) };
    }
  }));
  return { key, startedAt, endedAt, sidecar, results };
}

/** Deletes a backup and its sidecar, logging instead of throwing: used while cleaning up. */
async function removeQuietly(storage: Destination, key: string, deps: BackupDependencies): Promise<void> {
  for (const each of [key, sidecarKeyFor(key)]) {
    try {
      await storage.delete(each);
    } catch (error) {
      deps.log('warn', `Could not remove the incomplete ${each}: ${(error as Error).message}. Delete it by hand.`);
    }
  }
}

/** Why an aborted run stopped: the reason given to `abort()` when it is ours (e.g. a watchdog), else cancelled. */
function abortError(signal: AbortSignal, error: unknown): DBackupError {
  return isDBackupError(signal.reason) ? signal.reason : cancelledError(error);
}

function asBackupError(error: unknown, fallback: string): DBackupError {
  if (isDBackupError(error)) return error;
  return new DBackupError('internal', `${fallback} ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** Counts bytes passing through and reports them at most every 250 ms. */
class ByteCounter extends Transform {
  bytes = 0;
  #lastReport = 0;
  readonly #report: (bytes: number) => void;

  constructor(report: (bytes: number) => void) {
    super();
    this.#report = report;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const now = Date.now();
    if (now - this.#lastReport >= 250) {
      this.#lastReport = now;
      this.#report(this.bytes);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#report(this.bytes);
    callback();
  }
}
