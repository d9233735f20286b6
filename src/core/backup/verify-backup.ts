import type { Destination } from '../../ports/destination.port.ts';
import { ContentHasher } from '../content-hash.ts';
import { DBackupError } from '../errors.ts';
import { chunksOf } from '../stream-chunks.ts';
import { sidecarKeyFor } from './backup-naming.ts';
import { parseSidecar } from './sidecar.ts';

export interface VerificationResult {
  key: string;
  /** `metadata`: compared the destination's own content hash, nothing downloaded. */
  method: 'metadata' | 'download';
  contentHash: string;
  size: number;
}

/**
 * Checks that a stored backup is exactly the file its sidecar describes, by Dropbox content hash.
 * Destinations that know the hash of a stored file (Dropbox) answer without a download; others
 * are read and hashed. Throws `integrity` with both hashes on a mismatch, `not_found` when the
 * backup or its sidecar is missing.
 */
export async function verifyBackup(storage: Destination, key: string, signal?: AbortSignal): Promise<VerificationResult> {
  const sidecar = parseSidecar(await storage.readText(sidecarKeyFor(key), { signal }), sidecarKeyFor(key));
  const stat = await storage.stat(key, { signal });
  if (!stat) throw new DBackupError('not_found', `${key} is missing although its sidecar exists. The backup is lost on this destination; use another copy.`);
  let method: VerificationResult['method'] = 'metadata';
  let contentHash: string;
  if (storage.capabilities.contentHash && stat.contentHash === undefined) {
    contentHash = await storage.capabilities.contentHash(key, { signal });
  } else if (stat.contentHash !== undefined) {
    contentHash = stat.contentHash;
  } else {
    method = 'download';
    const hasher = new ContentHasher();
    for await (const chunk of chunksOf(await storage.read(key, { signal }))) hasher.update(chunk);
    contentHash = hasher.digest();
  }
  if (stat.size !== sidecar.storedSize || contentHash !== sidecar.contentHash) {
    throw new DBackupError('integrity', `${key} does not match its sidecar: stored ${stat.size} bytes with content hash ${contentHash}, expected ${sidecar.storedSize} bytes with ${sidecar.contentHash}. Do not rely on this copy; use another destination or an older backup.`);
  }
  return { key, method, contentHash, size: stat.size };
}
