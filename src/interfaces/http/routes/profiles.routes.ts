import { json, noContent, readJsonObject } from '../json.ts';
import type { RequestContext, Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { text } from './body-fields.ts';

/** Encryption profiles: list with usage, create, import, rename, export the key, delete. */
export function profileRoutes({ profiles }: Pick<BackupServices, 'profiles'>): Route[] {
  const id = (context: RequestContext) => context.params.id ?? '';
  return [
    { method: 'GET', path: '/api/profiles', access: 'user', handler: async () => json(await profiles.list()) },
    {
      method: 'POST',
      path: '/api/profiles',
      access: 'user',
      handler: async (context) => json(await profiles.create(text(await readJsonObject(context.request), 'name')), 201),
    },
    {
      method: 'POST',
      path: '/api/profiles/import',
      access: 'user',
      handler: async (context) => {
        const body = await readJsonObject(context.request);
        return json(await profiles.import(text(body, 'keyFile'), text(body, 'name') || undefined), 201);
      },
    },
    {
      method: 'PUT',
      path: '/api/profiles/:id',
      access: 'user',
      handler: async (context) => json(await profiles.rename(id(context), text(await readJsonObject(context.request), 'name'))),
    },
    {
      method: 'DELETE',
      path: '/api/profiles/:id',
      access: 'user',
      handler: async (context) => {
        await profiles.delete(id(context));
        return noContent();
      },
    },
    // POST, not GET: handing out a key is a state-changing act worth the CSRF check.
    { method: 'POST', path: '/api/profiles/:id/export', access: 'user', handler: async (context) => json(await profiles.exportKey(id(context))) },
  ];
}
