import { randomBytes } from 'node:crypto';
import { isAbsolute, join, relative, sep } from 'node:path';
import { DBackupError } from '../../../core/errors.ts';
import { assertStorageKey } from '../../../core/storage-key.ts';

// Files being written are named `.<name>.<12 hex>.partial` next to their target.
const TEMP_NAME = /^\..*\.[0-9a-f]{12}\.partial$/;

/** A fresh temp file name for writing `name` in the same folder. */
export function tempNameFor(name: string): string {
  return `.${name}.${randomBytes(6).toString('hex')}.partial`;
}

/** True for names of files still being written (or left by a crash); `list` skips them. */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** True for a temp file of a write of `name` (see `tempNameFor`). */
export function isTempNameFor(tempName: string, name: string): boolean {
  return isTempName(tempName) && tempName.length === name.length + 22 && tempName.startsWith(`.${name}.`);
}

/**
 * The path on disk for a storage key. Validates the key itself (the adapter may be used without
 * the facade) and refuses names shaped like temp files, which `list` would hide. Throws
 * `invalid_input`.
 */
export function pathForKey(basePath: string, key: string): string {
  assertStorageKey(key);
  const name = key.slice(key.lastIndexOf('/') + 1);
  if (isTempName(name)) {
    throw new DBackupError('invalid_input', `Invalid storage key "${key}": names like ".<name>.<hex>.partial" are reserved for files being written.`);
  }
  return joinInside(basePath, key);
}

/** The folder on disk for a `list` prefix (`''` is the base folder) or a `/a/b` browse folder. */
export function pathForFolder(basePath: string, folder: string): string {
  const inner = folder.replace(/^\//, '');
  if (inner === '') return basePath;
  assertStorageKey(inner);
  return joinInside(basePath, inner);
}

function joinInside(basePath: string, relativeKey: string): string {
  const full = join(basePath, ...relativeKey.split('/'));
  const rel = relative(basePath, full);
  // Defence in depth: validated keys cannot escape, but never let a path leave the base folder.
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new DBackupError('invalid_input', `Invalid storage key "${relativeKey}": it points outside ${basePath}.`);
  }
  return full;
}
