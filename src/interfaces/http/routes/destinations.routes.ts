import { DBackupError } from '../../../core/errors.ts';
import type { DestinationInput } from '../destination-validation.ts';
import { json, noContent, readJsonObject } from '../json.ts';
import type { RequestContext, Route } from '../router.ts';
import type { DestinationsService } from '../services/services.ts';

/** Destinations: CRUD, live status, folder browsing and the connection test. */
export function destinationRoutes(destinations: DestinationsService): Route[] {
  const id = (context: RequestContext) => context.params.id ?? '';
  return [
    { method: 'GET', path: '/api/destinations', access: 'user', handler: async () => json(await destinations.list()) },
    {
      method: 'POST',
      path: '/api/destinations',
      access: 'user',
      handler: async (context) => json(await destinations.create(parseInput(await readJsonObject(context.request))), 201),
    },
    { method: 'GET', path: '/api/destinations/:id', access: 'user', handler: async (context) => json(await destinations.get(id(context))) },
    {
      method: 'PUT',
      path: '/api/destinations/:id',
      access: 'user',
      handler: async (context) => json(await destinations.update(id(context), parseInput(await readJsonObject(context.request)))),
    },
    {
      method: 'DELETE',
      path: '/api/destinations/:id',
      access: 'user',
      handler: async (context) => {
        await destinations.remove(id(context));
        return noContent();
      },
    },
    { method: 'GET', path: '/api/destinations/:id/status', access: 'user', handler: async (context) => json(await destinations.status(id(context))) },
    {
      method: 'GET',
      path: '/api/destinations/:id/folders',
      access: 'user',
      handler: async (context) => json(await destinations.browse(id(context), context.url.searchParams.get('path') ?? '')),
    },
    { method: 'POST', path: '/api/destinations/:id/test', access: 'user', handler: async (context) => json(await destinations.testConnection(id(context))) },
  ];
}

/** Shape check only; the service applies the field rules. */
function parseInput(body: Record<string, unknown>): DestinationInput {
  const strings = (value: unknown, field: string): Record<string, string> => {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new DBackupError('invalid_input', `"${field}" must be an object of strings.`);
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || item === null) continue;
      if (typeof item !== 'string') throw new DBackupError('invalid_input', `"${field}.${key}" must be a string.`);
      out[key] = item;
    }
    return out;
  };
  return {
    type: typeof body.type === 'string' ? body.type : '',
    name: typeof body.name === 'string' ? body.name : '',
    config: strings(body.config, 'config'),
    secrets: strings(body.secrets, 'secrets'),
  };
}
