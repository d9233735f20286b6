import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DBackupError, isDBackupError } from '../../../core/errors.ts';
import type { ConnectionReport, StorageUsage } from '../../../ports/destination.port.ts';
import type { DropboxContext } from './dropbox-context.ts';
import { deleteFile } from './dropbox-files.ts';
import { quotaExceededError } from './dropbox.errors.ts';
import { uploadFile } from './dropbox-upload.ts';

/**
 * Space used and allocated (`users/get_space_usage`). For team accounts the member's own cap
 * counts when one is set, else the team's allocation.
 */
export async function getUsage(context: DropboxContext, signal?: AbortSignal): Promise<StorageUsage> {
  const usage = await context.retrier.run({ operation: 'users/get_space_usage', signal }, async () => {
    const response = await context.client.usersGetSpaceUsage({ signal });
    return response.result;
  });
  const allocation = usage.allocation;
  if (allocation['.tag'] === 'individual') return { used: usage.used, allocated: allocation.allocated };
  if (allocation['.tag'] === 'team') {
    const own = allocation.user_within_team_space_allocated;
    return { used: usage.used, allocated: own > 0 ? own : allocation.allocated };
  }
  return { used: usage.used };
}

/**
 * Runs `operation`; a `quota_exceeded` failure is rethrown with the account's used/allocated
 * figures in its message (best effort: without them when usage cannot be fetched).
 */
export async function withQuotaFigures<T>(context: DropboxContext, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!isDBackupError(error, 'quota_exceeded')) throw error;
    const usage = await getUsage(context, AbortSignal.timeout(15_000)).catch(() => undefined);
    throw quotaExceededError(error, usage);
  }
}

/**
 * Checks the whole chain a backup needs: the account (name and email), the folder (created when
 * missing), a small write + delete in it, and the space usage. Throws the first failure, with
 * the classified message (missing permission, re-authorize, quota...).
 */
export async function testConnection(context: DropboxContext, signal?: AbortSignal): Promise<ConnectionReport> {
  const account = await context.retrier.run({ operation: 'users/get_current_account', signal }, async () => {
    const response = await context.client.usersGetCurrentAccount({ signal });
    return response.result;
  });
  const folder = context.paths.folder;
  const created = folder === '' ? false : await ensureFolder(context, folder, signal);

  const probePath = context.paths.pathOf(`.dbackup-connection-test-${randomUUID()}.txt`);
  const probe = Buffer.from(`DBackup connection test ${new Date().toISOString()}\n`);
  await withQuotaFigures(context, () => uploadFile(context, probePath, Readable.from([probe]), { size: probe.length, signal }));
  await deleteFile(context, probePath, signal);

  const usage = await getUsage(context, signal);
  return {
    account: { name: account.name.display_name, email: account.email },
    folder: { path: folder, created },
    writeDelete: 'ok',
    usage,
  };
}

/** Creates `folder` (and its parents); `false` when it already existed. */
async function ensureFolder(context: DropboxContext, folder: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await context.retrier.run({ operation: 'files/create_folder_v2', path: folder, signal }, async () => {
      await context.client.filesCreateFolderV2({ path: folder, autorename: false }, { signal });
    });
    return true;
  } catch (error) {
    if (!isDBackupError(error, 'conflict')) throw error;
    if (error.details.conflict === 'folder') return false;
    throw new DBackupError('invalid_input', `The Folder Path ${folder} is a file in Dropbox, not a folder. Choose another Folder Path.`, {
      cause: error,
    });
  }
}
