import { json } from '../json.ts';
import type { Route } from '../router.ts';

/** `GET /api/health`: unauthenticated liveness probe for load balancers and the CLI. */
export function healthRoutes(version: string): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/health',
      access: 'public',
      handler: () => json({ status: 'ok', version }),
    },
  ];
}
