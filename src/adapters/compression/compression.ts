import { COMPRESSION_EXTENSIONS, type CompressionKind } from '../../core/backup/backup-naming.ts';
import { DBackupError } from '../../core/errors.ts';

/** How a dump is compressed before it is (optionally) encrypted. */
export type Compression = CompressionKind;
export { COMPRESSION_EXTENSIONS };

export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'zstd'];

/**
 * Accepted levels and defaults. gzip 6 is zlib's own default balance. zstd 3 is zstd's default; we
 * stop at 19 because the "ultra" levels 20–22 are very slow and need large windows (memory) on
 * both ends, which a restore machine should not have to provide.
 */
export const COMPRESSION_LEVELS: Readonly<Record<Exclude<Compression, 'none'>, { min: number; max: number; default: number }>> = {
  gzip: { min: 1, max: 9, default: 6 },
  zstd: { min: 1, max: 19, default: 3 },
};

const ENCRYPTED_SUFFIX = '.enc';

/** Throws `invalid_input` unless `value` names a supported compression. */
export function parseCompression(value: string): Compression {
  const normalized = value.trim().toLowerCase();
  if ((COMPRESSIONS as readonly string[]).includes(normalized)) return normalized as Compression;
  throw new DBackupError('invalid_input', `Unknown compression "${value}". Use one of: ${COMPRESSIONS.join(', ')}.`, { retryable: false });
}

/**
 * The compression a backup file name says it has, looking past a trailing `.enc`:
 * `backup_….sql.gz.enc` → gzip, `….sql.zst` → zstd, anything else → none.
 */
export function compressionFromFileName(name: string): Compression {
  const lower = stripSuffix(name.toLowerCase(), ENCRYPTED_SUFFIX);
  if (lower.endsWith(COMPRESSION_EXTENSIONS.gzip)) return 'gzip';
  if (lower.endsWith(COMPRESSION_EXTENSIONS.zstd)) return 'zstd';
  return 'none';
}

/** `name` without a final `.gz` / `.zst` (`x.sql.gz` → `x.sql`); unchanged when it has none. */
export function stripCompressionExtension(name: string): string {
  const lower = name.toLowerCase();
  for (const extension of [COMPRESSION_EXTENSIONS.gzip, COMPRESSION_EXTENSIONS.zstd]) {
    if (lower.endsWith(extension)) return name.slice(0, name.length - extension.length);
  }
  return name;
}

/** Throws `invalid_input` for a level outside the range of `compression`; returns the level to use. */
export function resolveCompressionLevel(compression: Compression, level: number | undefined): number | undefined {
  if (compression === 'none') return undefined;
  const range = COMPRESSION_LEVELS[compression];
  if (level === undefined) return range.default;
  if (!Number.isInteger(level) || level < range.min || level > range.max) {
    throw new DBackupError('invalid_input', `A ${compression} compression level must be an integer from ${range.min} to ${range.max} (got ${level}).`, {
      retryable: false,
    });
  }
  return level;
}

function stripSuffix(name: string, suffix: string): string {
  return name.endsWith(suffix) ? name.slice(0, name.length - suffix.length) : name;
}
