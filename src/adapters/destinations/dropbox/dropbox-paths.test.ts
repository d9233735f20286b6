import { describe, expect, it } from 'vitest';
import { createDropboxPaths } from './dropbox-paths.ts';

describe('createDropboxPaths', () => {
  it('joins keys below the folder, or below the root when the folder is empty', () => {
    expect(createDropboxPaths('/Backups/DBackup').pathOf('job/a.sql')).toBe('/Backups/DBackup/job/a.sql');
    expect(createDropboxPaths('backups/').pathOf('a.sql')).toBe('/backups/a.sql');
    expect(createDropboxPaths('').pathOf('job/a.sql')).toBe('/job/a.sql');
    expect(createDropboxPaths('/').folderOf('')).toBe('');
    expect(createDropboxPaths('/b').folderOf('')).toBe('/b');
  });

  it('derives keys case-insensitively from path_lower, keeping the display casing', () => {
    const paths = createDropboxPaths('/backups/dbackup');
    expect(paths.keyOf({ path_lower: '/backups/dbackup/job/a.sql', path_display: '/Backups/DBackup/Job/A.sql' })).toBe('Job/A.sql');
    expect(paths.keyOf({ path_lower: '/backups/dbackup-2/a.sql', path_display: '/backups/dbackup-2/a.sql' })).toBeUndefined();
    expect(paths.keyOf({ path_lower: '/backups/dbackup', path_display: '/backups/dbackup' })).toBeUndefined();
    expect(createDropboxPaths('').keyOf({ path_lower: '/jöb/ü.sql', path_display: '/Jöb/Ü.sql' })).toBe('Jöb/Ü.sql');
  });

  it('counts path components, not characters, when lower-casing changes the length', () => {
    // "İ" lower-cases to two UTF-16 units, so slicing by the folder's length would be off by one.
    const paths = createDropboxPaths('/İx');
    expect(paths.keyOf({ path_lower: '/i̇x/a.sql', path_display: '/İx/a.sql' })).toBe('a.sql');
  });
});
