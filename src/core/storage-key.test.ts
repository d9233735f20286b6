import { describe, expect, it } from 'vitest';
import { DBackupError } from './errors.ts';
import { assertStorageKey, isValidStorageKey, joinKey, normalizeFolderPath, normalizePrefix } from './storage-key.ts';

function rejection(run: () => unknown): DBackupError {
  try {
    run();
  } catch (error) {
    if (error instanceof DBackupError) return error;
    throw error;
  }
  throw new Error('expected an invalid_input error, but nothing was thrown');
}

describe('assertStorageKey', () => {
  it.each([
    'backup.sql',
    'job-name/backup_2024-01-15T12-00-00.sql.gz',
    'jöb-名前/backup_ü.sql',
    '.hidden/..dots../file...',
    'a b/c:d',
  ])('accepts %j unchanged', (key) => {
    expect(assertStorageKey(key)).toBe(key);
    expect(isValidStorageKey(key)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['/abs/file', 'absolute'],
    ['/', 'absolute'],
    ['C:/backups/x', 'Windows drive'],
    ['c:x', 'Windows drive'],
    ['../x', '".."'],
    ['a/../../x', '".."'],
    ['..', '".."'],
    ['./x', '"."'],
    ['a/./x', '"."'],
    ['a//b', 'empty path segment'],
    ['a/', 'empty path segment'],
    ['a\\b', 'backslash'],
    ['..\\x', 'backslash'],
    ['a\0b', 'NUL'],
  ])('rejects %j because it is %s', (key, rule) => {
    const error = rejection(() => assertStorageKey(key));
    expect(error.code).toBe('invalid_input');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(JSON.stringify(key));
    expect(error.message).toContain(rule);
    expect(isValidStorageKey(key)).toBe(false);
  });
});

describe('normalizePrefix', () => {
  it('keeps the empty prefix and drops one trailing slash', () => {
    expect(normalizePrefix('')).toBe('');
    expect(normalizePrefix('job')).toBe('job');
    expect(normalizePrefix('job/sub/')).toBe('job/sub');
  });

  it.each(['/', '/job', 'job//', '../job', 'a\\b'])('rejects %j', (prefix) => {
    const error = rejection(() => normalizePrefix(prefix));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(`prefix ${JSON.stringify(prefix)}`);
  });
});

describe('normalizeFolderPath', () => {
  it('writes folders the way a user types them into Folder Path', () => {
    expect(normalizeFolderPath('')).toBe('');
    expect(normalizeFolderPath('/')).toBe('');
    expect(normalizeFolderPath('a/b')).toBe('/a/b');
    expect(normalizeFolderPath('/a/b')).toBe('/a/b');
    expect(normalizeFolderPath('/a/b/')).toBe('/a/b');
  });

  it.each(['//', '/a/../b', '/a//b', 'a\\b', '/./a'])('rejects %j', (folder) => {
    expect(rejection(() => normalizeFolderPath(folder)).code).toBe('invalid_input');
  });
});

describe('joinKey', () => {
  it('joins with "/" and skips empty parts', () => {
    expect(joinKey('job', 'backup.sql')).toBe('job/backup.sql');
    expect(joinKey('', 'backup.sql')).toBe('backup.sql');
    expect(joinKey('a/b', '', 'c')).toBe('a/b/c');
  });

  it('validates the joined key', () => {
    expect(rejection(() => joinKey('a/', 'b')).code).toBe('invalid_input');
    expect(rejection(() => joinKey('..', 'b')).code).toBe('invalid_input');
    expect(rejection(() => joinKey()).code).toBe('invalid_input');
    expect(rejection(() => joinKey('/abs', 'b')).code).toBe('invalid_input');
  });
});
