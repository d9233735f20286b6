import type { Duplex } from 'node:stream';
import type { CompressionKind } from '../core/backup/backup-naming.ts';

/**
 * The byte transforms a backup passes through, supplied by adapters (node:zlib, node:crypto) so
 * the core stays free of them. Every stream works in bounded memory.
 */
export interface BackupTransforms {
  /** `none` passes bytes through. */
  compress(kind: CompressionKind): Duplex;
  /** Fails with `integrity` on corrupt input. */
  decompress(kind: CompressionKind): Duplex;
  /** Encrypts with a profile key; the description goes into the sidecar. */
  encrypt(key: Uint8Array): { stream: Duplex; description: EncryptionDescription };
  /**
   * Decrypts; fails with `integrity` for a wrong key, a corrupted or a truncated file. Output is
   * only trustworthy once the stream has ended without error.
   */
  decrypt(key: Uint8Array): Duplex;
  /**
   * The key fingerprint in an encrypted file's header (pass its first 64 bytes or more). Throws
   * `invalid_input` when the bytes are not an encrypted backup.
   */
  keyFingerprintOf(firstBytes: Uint8Array): string;
}

export interface EncryptionDescription {
  algorithm: string;
  keyFingerprint: string;
  chunkSize: number;
}
