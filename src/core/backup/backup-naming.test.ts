import { describe, expect, it } from 'vitest';
import { backupFileName, jobFolderName, parseBackupFileName, sidecarKeyFor, uniqueJobFolderName } from './backup-naming.ts';

describe('backup file names', () => {
  const at = new Date('2024-01-16T12:00:00.789Z');

  it('follows the spec layout for every compression and encryption choice', () => {
    expect(backupFileName(at, 'none', false)).toBe('backup_2024-01-16T12-00-00.sql');
    expect(backupFileName(at, 'gzip', true)).toBe('backup_2024-01-16T12-00-00.sql.gz.enc');
    expect(backupFileName(at, 'zstd', false)).toBe('backup_2024-01-16T12-00-00.sql.zst');
    expect(sidecarKeyFor('job/backup_2024-01-16T12-00-00.sql')).toBe('job/backup_2024-01-16T12-00-00.sql.meta.json');
  });

  it('parses what it writes, to the second', () => {
    const parsed = parseBackupFileName(backupFileName(at, 'gzip', true));
    expect(parsed).toEqual({ takenAt: new Date('2024-01-16T12:00:00Z'), compression: 'gzip', encrypted: true });
    expect(parseBackupFileName('backup_2024-01-16T12-00-00.sql.meta.json')).toBeUndefined();
    expect(parseBackupFileName('notes.txt')).toBeUndefined();
  });
});

describe('job folder names', () => {
  it('keeps readable names and replaces what destinations refuse', () => {
    expect(jobFolderName('Nightly prod / orders')).toBe('Nightly-prod-orders');
    expect(jobFolderName('  Kundendaten Ü  ')).toBe('Kundendaten-Ü');
    expect(jobFolderName('..hidden..')).toBe('hidden');
  });

  it('refuses names with nothing usable left', () => {
    expect(() => jobFolderName('///')).toThrow(/no usable folder name/);
    expect(() => jobFolderName('desktop.ini')).toThrow(/no usable folder name/);
  });

  it('is unique across jobs case-insensitively', () => {
    expect(uniqueJobFolderName('Orders', ['orders', 'ORDERS-2'])).toBe('Orders-3');
    expect(uniqueJobFolderName('Orders', ['billing'])).toBe('Orders');
  });
});
