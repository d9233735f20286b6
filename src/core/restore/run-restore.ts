import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BackupTransforms } from '../../ports/backup-transforms.port.ts';
import type { Destination } from '../../ports/destination.port.ts';
import type { ScratchSpace } from '../../ports/scratch.port.ts';
import type { DatabaseSource, RestoreOptions } from '../../ports/source.port.ts';
import { parseBackupFileName, sidecarKeyFor } from '../backup/backup-naming.ts';
import { parseSidecar, type BackupSidecar } from '../backup/sidecar.ts';
import { Sha256PassThrough } from '../content-hash.ts';
import { DBackupError, isDBackupError } from '../errors.ts';

export interface RestoreRequest {
  storage: Destination;
  key: string;
  target: DatabaseSource;
  database: string;
  options?: Omit<RestoreOptions, 'signal'>;
  signal?: AbortSignal;
}

export interface RestoreDependencies {
  transforms: BackupTransforms;
  scratch: ScratchSpace;
  /** The profile key with this fingerprint, or undefined when no profile has it. */
  keyForFingerprint: (fingerprint: string) => Promise<Uint8Array | undefined>;
  log: (level: 'info' | 'warn', message: string) => void;
  onProgress?: (progress: { stage: 'downloading' | 'checking' | 'restoring'; bytes: number }) => void;
}

/**
 * Restores a stored backup into a database. Nothing touches the target until the whole file has
 * been downloaded and proven good: its SHA-256 must match the sidecar and, when there is no
 * sidecar to compare with, a full decrypt + decompress pass must succeed. A wrong or missing key
 * is reported before the target is touched too. The downloaded copy is private and always removed.
 */
export async function runRestore(request: RestoreRequest, deps: RestoreDependencies): Promise<void> {
  const { storage, key, signal } = request;
  const name = key.slice(key.lastIndexOf('/') + 1);
  const sidecar = await readSidecarIfPresent(storage, key, signal, deps);
  const parsedName = parseBackupFileName(name);
  const compression = sidecar?.compression ?? parsedName?.compression;
  const encrypted = sidecar ? sidecar.encryption !== null : parsedName?.encrypted;
  if (compression === undefined || encrypted === undefined) {
    throw new DBackupError('invalid_input', `${key} is not a DBackup backup (no sidecar, and the name is not backup_<time>.sql[.gz|.zst][.enc]).`);
  }

  const scratch = await deps.scratch.create('restore');
  try {
    // SHA-256 only: a Dropbox destination has already checked the content hash while reading.
    const hashing = new Sha256PassThrough();
    let downloaded = 0;
    hashing.on('data', (chunk: Buffer) => { downloaded += chunk.length; deps.onProgress?.({ stage: 'downloading', bytes: downloaded }); });
    await pipeline(await storage.read(key, { signal }), hashing, scratch.writer(), { signal });
    if (sidecar && hashing.result.sha256 !== sidecar.sha256) {
      throw new DBackupError('integrity', `${key} is corrupted: its SHA-256 is ${hashing.result.sha256}, but the backup recorded ${sidecar.sha256}. Nothing was restored; use another copy or an older backup.`);
    }
    deps.log('info', `Downloaded ${key} (${hashing.result.bytes} bytes)${sidecar ? ', SHA-256 matches the sidecar' : ''}.`);

    const key32 = encrypted ? await resolveKey(scratch.reader({ start: 0, end: 63 }), sidecar, deps) : undefined;
    const openPlaintext = (): Readable => {
      let stream: Readable = scratch.reader();
      if (key32) stream = stream.compose(deps.transforms.decrypt(key32));
      return stream.compose(deps.transforms.decompress(compression));
    };

    if (!sidecar) {
      // No recorded hash to trust: prove the whole file decrypts and decompresses before restoring.
      deps.onProgress?.({ stage: 'checking', bytes: 0 });
      await pipeline(openPlaintext(), new Writable({ write: (_chunk, _encoding, done) => done() }), { signal });
    }

    deps.onProgress?.({ stage: 'restoring', bytes: 0 });
    // A target that gives up (e.g. "database not empty") destroys its input, which then reports
    // an AbortError from the composed stream. The target's own rejection says what happened; the
    // input's error must not go unobserved, or it would crash the process.
    const input = openPlaintext();
    let inputError: unknown;
    input.on('error', (error) => { inputError ??= error; });
    await request.target.restore(request.database, input, { ...request.options, signal });
    if (inputError !== undefined) throw inputError;
    deps.log('info', `Restored ${key} into ${request.database}.`);
  } finally {
    await scratch.remove();
  }
}

async function readSidecarIfPresent(storage: Destination, key: string, signal: AbortSignal | undefined, deps: RestoreDependencies): Promise<BackupSidecar | undefined> {
  try {
    return parseSidecar(await storage.readText(sidecarKeyFor(key), { signal }), sidecarKeyFor(key));
  } catch (error) {
    if (isDBackupError(error, 'not_found')) {
      deps.log('warn', `${key} has no sidecar; its integrity will be checked by decrypting and decompressing it fully first.`);
      return undefined;
    }
    throw error;
  }
}

async function resolveKey(header: Readable, sidecar: BackupSidecar | undefined, deps: RestoreDependencies): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of header) chunks.push(chunk as Buffer);
  const fingerprint = deps.transforms.keyFingerprintOf(Buffer.concat(chunks));
  if (sidecar?.encryption && sidecar.encryption.keyFingerprint !== fingerprint) {
    throw new DBackupError('integrity', `The backup's header names key ${fingerprint}, but its sidecar names ${sidecar.encryption.keyFingerprint}; one of them was altered. Nothing was restored.`);
  }
  const key = await deps.keyForFingerprint(fingerprint);
  if (!key) {
    throw new DBackupError('not_found', `This backup is encrypted with key ${fingerprint}, and no encryption profile here has that key. Import the exported key of that profile, then restore again.`);
  }
  return key;
}
