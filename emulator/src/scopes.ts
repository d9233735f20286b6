/** The five scopes the DBackup Dropbox destination needs (see the destination spec). */
export const ALL_SCOPES: string[] = [
  'account_info.read',
  'files.metadata.read',
  'files.metadata.write',
  'files.content.read',
  'files.content.write',
];
