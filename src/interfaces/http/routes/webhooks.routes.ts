import type { WebhookInput } from '../../../core/notifications/webhooks.service.ts';
import { json, noContent, readJsonObject } from '../json.ts';
import type { RequestContext, Route } from '../router.ts';
import type { BackupServices } from '../services/services.ts';
import { flag, text } from './body-fields.ts';
import { DBackupError } from '../../../core/errors.ts';

/** Notification webhooks: CRUD (URL write-only, shown masked) and "Send test". */
export function webhookRoutes({ webhooks }: Pick<BackupServices, 'webhooks'>): Route[] {
  const id = (context: RequestContext) => context.params.id ?? '';
  const input = async (context: RequestContext) => parseWebhookInput(await readJsonObject(context.request));
  return [
    { method: 'GET', path: '/api/webhooks', access: 'user', handler: async () => json(await webhooks.list()) },
    { method: 'POST', path: '/api/webhooks', access: 'user', handler: async (context) => json(await webhooks.create(await input(context)), 201) },
    { method: 'GET', path: '/api/webhooks/:id', access: 'user', handler: async (context) => json(await webhooks.get(id(context))) },
    { method: 'PUT', path: '/api/webhooks/:id', access: 'user', handler: async (context) => json(await webhooks.update(id(context), await input(context))) },
    {
      method: 'DELETE',
      path: '/api/webhooks/:id',
      access: 'user',
      handler: async (context) => {
        await webhooks.remove(id(context));
        return noContent();
      },
    },
    { method: 'POST', path: '/api/webhooks/:id/test', access: 'user', handler: async (context) => json(await webhooks.test(id(context), context.request.signal)) },
  ];
}

function parseWebhookInput(body: Record<string, unknown>): WebhookInput {
  const events = body.events;
  if (events !== undefined && events !== null && (!Array.isArray(events) || events.some((e) => typeof e !== 'string'))) {
    throw new DBackupError('invalid_input', '"events" must be a list of event names.', { details: { fields: { events: 'Must be a list of event names.' } } });
  }
  return {
    name: text(body, 'name'),
    url: text(body, 'url'),
    events: Array.isArray(events) ? (events as string[]) : undefined,
    enabled: flag(body, 'enabled'),
  };
}
