import { describe, expect, it } from 'vitest';
import { dropboxFolderPathProblem, localPathProblem, validateDestination } from './destination-validation.ts';

describe('dropbox folder path rules', () => {
  it.each(['', '/backups', '/Backups/db 1', '/a/b/c', '/émoji-🙂'])('accepts %j', (path) => {
    expect(dropboxFolderPathProblem(path)).toBeUndefined();
  });

  it.each([
    ['backups', 'Start the folder path with "/"'],
    ['/', 'Leave the field empty'],
    ['/backups/', 'trailing "/"'],
    ['/a//b', 'empty folder name'],
    ['/a/../b', '".."'],
    ['/a/.dropbox', 'refuses the folder name ".dropbox"'],
    ['/Desktop.INI', 'refuses'],
    ['/a:b', '":"'],
    ['/trailing.', 'ends with a space or dot'],
  ])('rejects %j', (path, message) => {
    expect(dropboxFolderPathProblem(path)).toContain(message);
  });
});

describe('destination validation', () => {
  it('requires name, app key and secret on create', () => {
    expect(validateDestination({ type: 'dropbox', name: ' ', config: {}, secrets: {} })).toEqual({
      name: 'Name is required.',
      appKey: 'App Key is required.',
      appSecret: 'App Secret is required.',
    });
  });

  it('keeps stored secrets when left blank on edit', () => {
    const errors = validateDestination({ type: 'dropbox', name: 'x', config: { folderPath: '/b' }, secrets: { appKey: '' } }, { appKey: true, appSecret: true });
    expect(errors).toEqual({});
  });

  it('checks local paths', () => {
    expect(localPathProblem('relative/dir')).toContain('absolute');
    expect(localPathProblem('/srv/../etc')).toContain('..');
    expect(validateDestination({ type: 'local', name: 'disk', config: { path: '/srv/backups' }, secrets: {} })).toEqual({});
  });
});
