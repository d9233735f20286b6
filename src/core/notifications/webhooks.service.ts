/**
 * Webhooks as the API and UI see them: CRUD with field checks, the URL write-only (only its scheme
 * and host come back, the rest masked: incoming-webhook URLs carry their token), and "Send test".
 */
import { NOTIFICATION_EVENTS, type NotificationEvent, type Repositories, type WebhookPatch, type WebhookRecord } from '../../ports/metadata-store.port.ts';
import { assertNoFieldErrors, trimmed, type FieldErrors } from '../catalog/field-errors.ts';
import { DBackupError, isDBackupError } from '../errors.ts';
import { Secret } from '../secret.ts';
import type { RunNotifications } from './run-notifications.ts';

/** What the form sends. On update a blank `url` keeps the stored one; missing `events` keep the defaults (create) or the stored ones. */
export interface WebhookInput {
  name: string;
  url?: string;
  events?: string[];
  enabled?: boolean;
}

export interface WebhookView {
  id: string;
  name: string;
  /** Scheme and host, the rest masked, e.g. `https://hooks.slack.com/••••••`. */
  urlMasked: string;
  events: NotificationEvent[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookTestResult = { ok: true; message: string } | { ok: false; message: string; code: string; status?: number };

export interface WebhooksService {
  list(): Promise<WebhookView[]>;
  /** Throws `not_found`. */
  get(id: string): Promise<WebhookView>;
  /** Throws `invalid_input` with `details.fields`. */
  create(input: WebhookInput): Promise<WebhookView>;
  /** Throws `not_found`, `invalid_input`. */
  update(id: string, input: WebhookInput): Promise<WebhookView>;
  /** Throws `not_found`. */
  remove(id: string): Promise<void>;
  /** Delivers a sample payload now and reports the outcome (a failed delivery is a result, not an error). Throws `not_found`. */
  test(id: string, signal?: AbortSignal): Promise<WebhookTestResult>;
}

export interface WebhooksServiceOptions {
  store: Pick<Repositories, 'webhooks'>;
  notifications: Pick<RunNotifications, 'sendTest'>;
}

const MASK = '••••••';

/** Scheme and host of a webhook URL, the rest masked. */
export function maskWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
    return `${parsed.protocol}//${parsed.host}/${rest === '/' || rest === '' ? '' : MASK}`;
  } catch {
    return MASK;
  }
}

export function createWebhooksService(options: WebhooksServiceOptions): WebhooksService {
  const { store } = options;

  async function load(id: string): Promise<WebhookRecord> {
    const record = await store.webhooks.get(id);
    if (!record) throw new DBackupError('not_found', 'No such webhook. It may have been deleted.');
    return record;
  }

  function validate(input: WebhookInput, creating: boolean): { name: string; url: Secret | undefined; events: NotificationEvent[] | undefined } {
    const fields: FieldErrors = {};
    const name = trimmed(input.name);
    if (name === '') fields.name = 'Enter a name, e.g. "Ops Slack".';
    const urlText = trimmed(input.url);
    if (urlText === '' && creating) fields.url = 'Enter the webhook URL (starting with https://).';
    else if (urlText !== '') {
      const problem = urlProblem(urlText);
      if (problem) fields.url = problem;
    }
    let events: NotificationEvent[] | undefined;
    if (input.events !== undefined) {
      const unknown = input.events.filter((e) => !NOTIFICATION_EVENTS.includes(e as NotificationEvent));
      events = NOTIFICATION_EVENTS.filter((e) => input.events!.includes(e));
      if (unknown.length > 0) fields.events = `Unknown event ${unknown.map((e) => `"${e}"`).join(', ')}; choose from ${NOTIFICATION_EVENTS.join(', ')}.`;
      else if (events.length === 0) fields.events = 'Choose at least one event.';
    }
    assertNoFieldErrors(fields);
    return { name, url: urlText === '' ? undefined : new Secret(urlText), events };
  }

  return {
    async list() {
      return (await store.webhooks.list()).map(toView);
    },
    async get(id) {
      return toView(await load(id));
    },
    async create(input) {
      const fields = validate(input, true);
      return toView(await store.webhooks.create({ name: fields.name, url: fields.url!, events: fields.events, enabled: input.enabled ?? true }));
    },
    async update(id, input) {
      await load(id);
      const fields = validate(input, false);
      const patch: WebhookPatch = { name: fields.name };
      if (fields.url) patch.url = fields.url;
      if (fields.events) patch.events = fields.events;
      if (input.enabled !== undefined) patch.enabled = input.enabled;
      return toView(await store.webhooks.update(id, patch));
    },
    async remove(id) {
      await load(id);
      await store.webhooks.delete(id);
    },
    async test(id, signal) {
      const webhook = await load(id);
      try {
        await options.notifications.sendTest(webhook, signal);
        return { ok: true, message: `Test notification delivered to "${webhook.name}" (${maskWebhookUrl(webhook.url.reveal())}).` };
      } catch (error) {
        if (!isDBackupError(error)) throw error;
        const status = typeof error.details?.status === 'number' ? error.details.status : undefined;
        return { ok: false, code: error.code, message: error.message, ...(status === undefined ? {} : { status }) };
      }
    },
  };
}

function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Not a valid URL. Paste the full address, starting with https://.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Must start with http:// or https://.';
  return undefined;
}

function toView(record: WebhookRecord): WebhookView {
  return {
    id: record.id,
    name: record.name,
    urlMasked: maskWebhookUrl(record.url.reveal()),
    events: record.events,
    enabled: record.enabled,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
