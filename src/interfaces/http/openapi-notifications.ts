/** The OpenAPI paths and schemas of the notification webhooks; merged into openapi.ts. */
import { bool, obj, type Operation, type Schema, str, time } from './openapi-schema.ts';

const events: Schema = {
  type: 'array',
  items: { enum: ['run.failed', 'run.partial', 'run.interrupted', 'run.succeeded'] },
  description: 'Run outcomes to notify about; default run.failed, run.partial, run.interrupted',
};

export const NOTIFICATION_OPERATIONS: Record<string, Record<string, Operation>> = {
  '/api/webhooks': {
    get: { summary: 'Notification webhooks (the URL only as scheme and host, the rest masked)', auth: 'user', response: { status: 200, schema: 'WebhookList' } },
    post: { summary: 'Add a webhook', auth: 'user', body: 'WebhookInput', response: { status: 201, schema: 'Webhook' }, errors: [400] },
  },
  '/api/webhooks/{id}': {
    get: { summary: 'One webhook', auth: 'user', response: { status: 200, schema: 'Webhook' }, errors: [404] },
    put: { summary: 'Replace a webhook; a blank url keeps the stored one', auth: 'user', body: 'WebhookInput', response: { status: 200, schema: 'Webhook' }, errors: [400, 404] },
    delete: { summary: 'Delete a webhook', auth: 'user', response: { status: 204 }, errors: [404] },
  },
  '/api/webhooks/{id}/test': {
    post: { summary: 'Send a sample payload now (one attempt, 10 s timeout) and report the outcome', auth: 'user', response: { status: 200, schema: 'WebhookTestResult' }, errors: [404] },
  },
};

export const NOTIFICATION_SCHEMAS: Record<string, Schema> = {
  WebhookInput: obj(
    { name: str(), url: str('http(s) URL; write-only (it may hold a token); blank on update keeps the stored one'), events, enabled: bool('Default true') },
    ['name'],
  ),
  Webhook: obj(
    { id: str(), name: str(), urlMasked: str('Scheme and host, the rest masked, e.g. https://hooks.slack.com/••••••'), events, enabled: bool(), createdAt: time(), updatedAt: time() },
    ['id', 'name', 'urlMasked', 'events', 'enabled', 'createdAt', 'updatedAt'],
  ),
  WebhookList: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } },
  WebhookTestResult: obj(
    {
      ok: bool('True when the webhook answered 2xx'),
      message: str('What happened; on failure the HTTP status, unreachable host or timeout and what to check'),
      code: str('Error code when not ok: invalid_input (4xx, bad URL), transient (5xx, network, timeout)'),
      status: { type: 'integer', description: 'HTTP status, when the webhook answered' },
    },
    ['ok', 'message'],
  ),
};
