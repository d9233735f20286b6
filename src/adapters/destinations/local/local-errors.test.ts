import { describe, expect, it } from 'vitest';
import { DBackupError } from '../../../core/errors.ts';
import { localFsError } from './local-errors.ts';

const context = { action: 'write', key: 'job/backup.sql.gz', path: '/srv/backups/job/backup.sql.gz', basePath: '/srv/backups' };
const fsError = (code: string) => Object.assign(new Error(`${code}: something`), { code });

describe('localFsError', () => {
  it('says which file is missing and where', () => {
    const error = localFsError(fsError('ENOENT'), context);
    expect(error.code).toBe('not_found');
    expect(error.message).toBe('No backup file at job/backup.sql.gz in /srv/backups.');
  });

  it.each(['ENOSPC', 'EDQUOT'])('reports %s as a full disk that retrying will not fix', (code) => {
    const error = localFsError(fsError(code), context);
    expect(error.code).toBe('quota_exceeded');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('disk full');
    expect(error.message).toContain('/srv/backups');
  });

  it.each(['EACCES', 'EPERM'])('reports %s naming the path and asking to fix permissions', (code) => {
    const error = localFsError(fsError(code), context);
    expect(error.code).toBe('unavailable');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('/srv/backups/job/backup.sql.gz');
    expect(error.message).toContain('Fix the permissions of /srv/backups');
  });

  it('reports a read-only file system', () => {
    expect(localFsError(fsError('EROFS'), context).message).toContain('read-only file system');
  });

  it('treats running out of file handles as transient', () => {
    const error = localFsError(fsError('EMFILE'), context);
    expect(error.code).toBe('transient');
    expect(error.retryable).toBe(true);
  });

  it('keeps the original as cause and passes DBackupErrors through', () => {
    const original = fsError('EWHATEVER');
    const error = localFsError(original, context);
    expect(error.code).toBe('internal');
    expect(error.cause).toBe(original);
    const own = new DBackupError('cancelled', 'stop');
    expect(localFsError(own, context)).toBe(own);
  });
});
