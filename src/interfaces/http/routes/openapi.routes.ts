import { json } from '../json.ts';
import { createOpenApiDocument } from '../openapi.ts';
import type { Route } from '../router.ts';

export function openApiRoutes(version: string): Route[] {
  const document = createOpenApiDocument(version);
  return [{ method: 'GET', path: '/api/openapi.json', access: 'user', handler: () => json(document) }];
}
