import type { SourceInput } from '../../../core/catalog/sources.service.ts';
import { json, noContent, readJsonObject } from '../json.ts';
import type { RequestContext, Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { flag, text, textOrNumber } from './body-fields.ts';

/** Database sources: CRUD (password write-only), connection tests, database lists. */
export function sourceRoutes({ sources }: Pick<BackupServices, 'sources'>): Route[] {
  const id = (context: RequestContext) => context.params.id ?? '';
  const input = async (context: RequestContext) => parseSourceInput(await readJsonObject(context.request));
  return [
    { method: 'GET', path: '/api/sources', access: 'user', handler: async () => json(await sources.list()) },
    { method: 'POST', path: '/api/sources', access: 'user', handler: async (context) => json(await sources.create(await input(context)), 201) },
    {
      method: 'POST',
      path: '/api/sources/test',
      access: 'user',
      handler: async (context) => {
        const body = await readJsonObject(context.request);
        return json(await sources.testInput(parseSourceInput(body), text(body, 'id') || undefined));
      },
    },
    { method: 'GET', path: '/api/sources/:id', access: 'user', handler: async (context) => json(await sources.get(id(context))) },
    { method: 'PUT', path: '/api/sources/:id', access: 'user', handler: async (context) => json(await sources.update(id(context), await input(context))) },
    {
      method: 'DELETE',
      path: '/api/sources/:id',
      access: 'user',
      handler: async (context) => {
        await sources.remove(id(context));
        return noContent();
      },
    },
    { method: 'POST', path: '/api/sources/:id/test', access: 'user', handler: async (context) => json(await sources.testConnection(id(context))) },
    { method: 'GET', path: '/api/sources/:id/databases', access: 'user', handler: async (context) => json(await sources.listDatabases(id(context))) },
  ];
}

function parseSourceInput(body: Record<string, unknown>): SourceInput {
  return {
    type: text(body, 'type'),
    name: text(body, 'name'),
    host: text(body, 'host'),
    port: textOrNumber(body, 'port'),
    username: text(body, 'username'),
    password: text(body, 'password'),
    clearPassword: flag(body, 'clearPassword'),
    sqlitePath: text(body, 'sqlitePath'),
    tlsMode: text(body, 'tlsMode'),
    caCertificate: text(body, 'caCertificate'),
  };
}
