import { DBackupError } from '../errors.ts';
import type { CompressionKind } from './backup-naming.ts';

export const SIDECAR_FORMAT_VERSION = 1;

/**
 * The `<file>.meta.json` stored beside every backup. It describes the backup well enough to verify
 * and restore it without DBackup's database: what was dumped, with what, and how it was transformed.
 */
export interface BackupSidecar {
  formatVersion: typeof SIDECAR_FORMAT_VERSION;
  appVersion: string;
  job: { id: string; name: string };
  source: {
    type: string;
    engine: string;
    engineVersion: string;
    dumpTool: string;
    dumpToolVersion: string;
  };
  database: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Bytes the dump tool produced. */
  originalSize: number;
  /** Bytes of the stored file, after compression and encryption. */
  storedSize: number;
  /** Of the stored file. */
  sha256: string;
  /** Dropbox content hash of the stored file, so a destination can verify it without a download. */
  contentHash: string;
  compression: CompressionKind;
  encryption: SidecarEncryption | null;
}

export interface SidecarEncryption {
  profileId: string;
  keyFingerprint: string;
  algorithm: string;
  chunkSize: number;
}

export function serializeSidecar(sidecar: BackupSidecar): string {
  return `${JSON.stringify(sidecar, null, 2)}\n`;
}

/**
 * Parses and checks a sidecar. Throws `integrity` naming the file when it is not JSON or lacks a
 * field, and `invalid_input` when it was written by a newer format this version cannot read.
 */
export function parseSidecar(text: string, key: string): BackupSidecar {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DBackupError('integrity', `The sidecar ${key} is not valid JSON; the backup's metadata is damaged. Verify the backup file itself before relying on it.`, { cause });
  }
  if (!isRecord(value)) throw damaged(key, 'it is not a JSON object');
  if (typeof value.formatVersion !== 'number') throw damaged(key, 'formatVersion is missing');
  if (value.formatVersion > SIDECAR_FORMAT_VERSION) {
    throw new DBackupError('invalid_input', `The sidecar ${key} uses format ${value.formatVersion}, newer than this DBackup understands (${SIDECAR_FORMAT_VERSION}). Upgrade DBackup to read it.`);
  }
  for (const field of ['startedAt', 'endedAt', 'sha256', 'contentHash', 'compression', 'database'] as const) {
    if (typeof value[field] !== 'string') throw damaged(key, `${field} is missing`);
  }
  for (const field of ['originalSize', 'storedSize', 'durationMs'] as const) {
    if (typeof value[field] !== 'number') throw damaged(key, `${field} is missing`);
  }
  if (!isRecord(value.job) || !isRecord(value.source)) throw damaged(key, 'job or source is missing');
  if (value.encryption !== null && !isRecord(value.encryption)) throw damaged(key, 'encryption is malformed');
  return value as unknown as BackupSidecar;
}

function damaged(key: string, what: string): DBackupError {
  return new DBackupError('integrity', `The sidecar ${key} is damaged: ${what}.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
