import type { BackupTransforms } from '../ports/backup-transforms.port.ts';
import { createCompressStream, createDecompressStream } from './compression/compression.stream.ts';
import { createDecryptStream } from './crypto/decrypt.stream.ts';
import { createEncryptStream } from './crypto/encrypt.stream.ts';
import { DEFAULT_CHUNK_SIZE, readEncryptionHeader } from './crypto/encryption-format.ts';

/** node:zlib compression and chunked AES-256-GCM encryption (docs/backup-format.md). */
export function createBackupTransforms(options: { encryptionChunkSize?: number } = {}): BackupTransforms {
  const chunkSize = options.encryptionChunkSize ?? DEFAULT_CHUNK_SIZE;
  return {
    compress: (kind) => createCompressStream(kind),
    decompress: (kind) => createDecompressStream(kind),
    encrypt(key) {
      const stream = createEncryptStream(key, { chunkSize });
      return { stream, description: { algorithm: 'AES-256-GCM-chunked-v1', keyFingerprint: stream.fingerprint, chunkSize } };
    },
    decrypt: (key) => createDecryptStream(key),
    keyFingerprintOf: (firstBytes) => readEncryptionHeader(firstBytes).fingerprint,
  };
}
