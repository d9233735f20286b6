import type { Selectable } from 'kysely';
import { Secret } from '../../../core/secret.ts';
import {
  DEFAULT_WEBHOOK_EVENTS,
  NOTIFICATION_EVENTS,
  type NotificationEvent,
  type WebhookRecord,
  type WebhooksRepository,
} from '../../../ports/metadata-store.port.ts';
import { newId } from '../ids.ts';
import type { WebhooksTable } from '../schema.ts';
import { WEBHOOK_URL } from '../secret-fields.ts';
import { atomically, invalidInput, iso, notFound, parseJson, toDate, type RepositoryContext } from './common.ts';

/** Known events only, in their canonical order, each once. */
const normalEvents = (events: readonly string[]): NotificationEvent[] => NOTIFICATION_EVENTS.filter((event) => events.includes(event));

const requireName = (name: string): string => {
  if (name.trim() === '') throw invalidInput('Enter a name for the webhook.');
  return name.trim();
};

export function createWebhooksRepository(ctx: RepositoryContext): WebhooksRepository {
  const toRecord = (row: Selectable<WebhooksTable>): WebhookRecord => ({
    id: row.id,
    name: row.name,
    url: new Secret(ctx.box().open(row.url_enc, WEBHOOK_URL.context(row.id))),
    events: normalEvents(parseJson<string[]>(row.events_json)),
    enabled: row.enabled === 1,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  });

  return {
    async create({ name, url, events = DEFAULT_WEBHOOK_EVENTS, enabled = true }) {
      const id = newId();
      const now = iso(ctx.now());
      const row: Selectable<WebhooksTable> = {
        id,
        name: requireName(name),
        url_enc: ctx.box().seal(url.reveal(), WEBHOOK_URL.context(id)),
        events_json: JSON.stringify(normalEvents(events)),
        enabled: enabled ? 1 : 0,
        created_at: now,
        updated_at: now,
      };
      await ctx.db().insertInto('webhooks').values(row).execute();
      return toRecord(row);
    },

    async get(id) {
      const row = await ctx.db().selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async list() {
      const rows = await ctx.db().selectFrom('webhooks').selectAll().orderBy('name').orderBy('id').execute();
      return rows.map(toRecord);
    },

    update(id, patch) {
      return atomically(ctx.db(), async (db) => {
        const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
        if (row === undefined) throw notFound('Webhook', id);
        const next: Selectable<WebhooksTable> = {
          ...row,
          name: patch.name === undefined ? row.name : requireName(patch.name),
          url_enc: patch.url === undefined ? row.url_enc : ctx.box().seal(patch.url.reveal(), WEBHOOK_URL.context(id)),
          events_json: patch.events === undefined ? row.events_json : JSON.stringify(normalEvents(patch.events)),
          enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
          updated_at: iso(ctx.now()),
        };
        await db.updateTable('webhooks').set(next).where('id', '=', id).execute();
        return toRecord(next);
      });
    },

    async delete(id) {
      const result = await ctx.db().deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
