/**
 * Outbound webhooks: where DBackup reports how backup runs ended. The URL is a `Secret` (incoming
 * webhook URLs of Slack, Discord and the like embed their token) and is encrypted at rest.
 * Every method may also throw `unavailable` and `integrity` (see metadata-store.port.ts).
 */
import type { Secret } from '../../core/secret.ts';

/** What a webhook can be told about. */
export type NotificationEvent = 'run.failed' | 'run.partial' | 'run.interrupted' | 'run.succeeded';

export const NOTIFICATION_EVENTS: readonly NotificationEvent[] = ['run.failed', 'run.partial', 'run.interrupted', 'run.succeeded'];

/** A new webhook hears about every run that did not fully succeed. */
export const DEFAULT_WEBHOOK_EVENTS: readonly NotificationEvent[] = ['run.failed', 'run.partial', 'run.interrupted'];

export interface WebhookRecord {
  id: string;
  name: string;
  /** http or https; may embed a token. */
  url: Secret;
  /** In NOTIFICATION_EVENTS order, without repeats. */
  events: NotificationEvent[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhook {
  name: string;
  url: Secret;
  /** Default DEFAULT_WEBHOOK_EVENTS. */
  events?: readonly NotificationEvent[];
  /** Default true. */
  enabled?: boolean;
}

export interface WebhookPatch {
  name?: string;
  url?: Secret;
  events?: readonly NotificationEvent[];
  enabled?: boolean;
}

export interface WebhooksRepository {
  /** Throws `invalid_input` for a blank name. */
  create(input: NewWebhook): Promise<WebhookRecord>;
  get(id: string): Promise<WebhookRecord | undefined>;
  /** Ordered by name. */
  list(): Promise<WebhookRecord[]>;
  /** Throws `not_found` for an unknown id, `invalid_input` for a blank name. */
  update(id: string, patch: WebhookPatch): Promise<WebhookRecord>;
  /** False when there was nothing to delete. */
  delete(id: string): Promise<boolean>;
}
