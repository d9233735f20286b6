import { DBackupError } from '../../../core/errors.ts';
import { json, noContent, readJsonObject } from '../json.ts';
import type { RequestContext, Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { flag, queryDate, queryInteger, queryText, text } from './body-fields.ts';
import { downloadResponse } from './download-response.ts';

/**
 * The storage explorer: backups per destination (keys are `job-folder/backup_….sql…`, passed in
 * the query or body because they contain a slash), streamed downloads, verify, delete, restore,
 * and the restore history (one restore with its log, which the UI polls while it runs; cancel).
 */
export function backupRoutes({ explorer, restores }: Pick<BackupServices, 'explorer' | 'restores'>): Route[] {
  const id = (context: RequestContext) => context.params.id ?? '';
  return [
    { method: 'GET', path: '/api/destinations/:id/backups', access: 'user', handler: async (context) => json(await explorer.list(id(context), context.request.signal)) },
    {
      method: 'DELETE',
      path: '/api/destinations/:id/backups',
      access: 'user',
      handler: async (context) => {
        await explorer.remove(id(context), queryText(context.url, 'key'));
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/api/destinations/:id/backups/download',
      access: 'user',
      handler: async ({ params, url }) => {
        const mode = url.searchParams.get('mode') || 'stored';
        if (mode !== 'stored' && mode !== 'decrypted') {
          throw new DBackupError('invalid_input', 'mode must be "stored" or "decrypted".', { details: { fields: { mode: 'Use stored or decrypted.' } } });
        }
        return downloadResponse(await explorer.download(params.id ?? '', queryText(url, 'key'), mode));
      },
    },
    {
      method: 'POST',
      path: '/api/destinations/:id/backups/verify',
      access: 'user',
      handler: async (context) => json(await explorer.verify(id(context), text(await readJsonObject(context.request), 'key'))),
    },
    {
      method: 'POST',
      path: '/api/destinations/:id/backups/restore',
      access: 'user',
      handler: async (context) => {
        const body = await readJsonObject(context.request);
        const operation = await restores.start({
          destinationId: id(context),
          key: text(body, 'key'),
          sourceId: text(body, 'sourceId'),
          database: text(body, 'database') || undefined,
          createDatabase: flag(body, 'createDatabase'),
          dropExisting: flag(body, 'dropExisting'),
          skipOwnership: flag(body, 'skipOwnership'),
        });
        return json(operation, 202);
      },
    },
    {
      method: 'GET',
      path: '/api/restores',
      access: 'user',
      handler: async ({ url }) =>
        json(await restores.list({ status: url.searchParams.get('status') || undefined, before: queryDate(url, 'before'), limit: queryInteger(url, 'limit') })),
    },
    { method: 'GET', path: '/api/restores/:id', access: 'user', handler: async (context) => json(await restores.get(id(context))) },
    { method: 'POST', path: '/api/restores/:id/cancel', access: 'user', handler: async (context) => json(await restores.cancel(id(context))) },
  ];
}
