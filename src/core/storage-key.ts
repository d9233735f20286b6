import { DBackupError } from './errors.ts';

/**
 * Storage keys are relative POSIX paths such as `job-name/backup_2024-01-15T12-00-00.sql.gz`.
 * These rules are checked before any destination adapter sees a key, so an adapter can map a key
 * onto its own namespace (a folder on disk, a Dropbox path) without ever escaping it.
 */
const EXAMPLE = 'Use a relative path such as "job-name/backup.sql.gz".';

// A drive letter (`C:`, `c:foo`) makes a path absolute or drive-relative on Windows.
const WINDOWS_DRIVE = /^[A-Za-z]:/;

/** Returns the first rule `path` breaks, or `undefined` when it is a valid relative POSIX path. */
function brokenRule(path: string): string | undefined {
  if (path.length === 0) return 'it is empty';
  if (path.includes('\0')) return 'it contains a NUL character';
  if (path.includes('\\')) return 'it contains a backslash; separate folders with "/"';
  if (path.startsWith('/')) return 'it is absolute (starts with "/")';
  if (WINDOWS_DRIVE.test(path)) return 'it starts with a Windows drive letter';
  for (const segment of path.split('/')) {
    if (segment === '') return 'it has an empty path segment (a leading, trailing or doubled "/")';
    if (segment === '..') return 'it contains a ".." segment';
    if (segment === '.') return 'it contains a "." segment';
  }
  return undefined;
}

function invalid(what: string, path: string, rule: string): DBackupError {
  return new DBackupError('invalid_input', `Invalid storage ${what} ${JSON.stringify(path)}: ${rule}. ${EXAMPLE}`, {
    details: { [what]: path, rule },
  });
}

/** True when `key` is a valid storage key (see `assertStorageKey`). */
export function isValidStorageKey(key: string): boolean {
  return brokenRule(key) === undefined;
}

/**
 * Checks a storage key and returns it unchanged.
 *
 * Throws `invalid_input` (naming the key and the rule) when the key is empty, absolute (leading `/`
 * or a Windows drive letter), contains `..` or `.` segments, empty segments (`a//b`, trailing `/`),
 * backslashes or NUL characters. Keys are not otherwise rewritten (no Unicode or case folding):
 * what the caller writes is what `list` returns.
 */
export function assertStorageKey(key: string): string {
  const rule = brokenRule(key);
  if (rule !== undefined) throw invalid('key', key, rule);
  return key;
}

/**
 * Normalises a `list` prefix: `''` (everything) stays `''`, one trailing `/` is dropped
 * (`job/` → `job`), and the rest must be a valid key. A prefix names a folder, not a string prefix:
 * `job` lists `job/…` but not `job-2/…`. Throws `invalid_input` like `assertStorageKey`.
 */
export function normalizePrefix(prefix: string): string {
  if (prefix === '') return '';
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const rule = brokenRule(trimmed);
  if (rule !== undefined) throw invalid('prefix', prefix, rule);
  return trimmed;
}

/**
 * Normalises a folder path for folder browsing, where paths are written the way a user types them
 * into a Folder Path field: `''` or `/` is the root and becomes `''`; `a/b`, `/a/b` and `/a/b/` all
 * become `/a/b`. Throws `invalid_input` for `..`, `.`, empty segments, backslashes or NUL.
 */
export function normalizeFolderPath(folder: string): string {
  if (folder === '' || folder === '/') return '';
  let inner = folder.startsWith('/') ? folder.slice(1) : folder;
  if (inner.endsWith('/')) inner = inner.slice(0, -1);
  const rule = brokenRule(inner);
  if (rule !== undefined) throw invalid('folder', folder, rule);
  return `/${inner}`;
}

/**
 * Joins key parts with `/`, skipping empty parts (so `joinKey(prefix, name)` works when the prefix
 * is `''`), and validates the result. Parts may themselves contain `/`. Throws `invalid_input`
 * when the joined key breaks a rule, e.g. `joinKey('a/', 'b')` (doubled `/`) or `joinKey('..', 'b')`.
 */
export function joinKey(...parts: string[]): string {
  return assertStorageKey(parts.filter((part) => part !== '').join('/'));
}
