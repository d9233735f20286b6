import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { redact } from '../../../core/secret.ts';
import {
  RESTORE_LOG_LIMIT,
  type RestoreLogLevel,
  type RestoreLogLine,
  type RestorePatch,
  type RestoreRecord,
  type RestoresRepository,
} from '../../../ports/metadata-store.port.ts';
import { newId } from '../ids.ts';
import type { RestoreLogsTable, RestoresTable, StoreSchema } from '../schema.ts';
import { atomically, batches, iso, notFound, PRUNE_BATCH, orUndefined, toDate, toNumber, toOptionalDate, type RepositoryContext } from './common.ts';

type RestoreUpdate = Omit<Updateable<RestoresTable>, 'id' | 'log_count'>;

export function createRestoresRepository(ctx: RepositoryContext): RestoresRepository {
  const getRow = (db: Kysely<StoreSchema>, id: string) => db.selectFrom('restores').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    async create(input) {
      const row = {
        id: newId(),
        destination_id: input.destinationId,
        object_key: input.key,
        source_id: input.sourceId,
        source_name: input.sourceName,
        database_name: input.database,
        create_database: input.options.createDatabase ? 1 : 0,
        drop_existing: input.options.dropExisting ? 1 : 0,
        skip_ownership: input.options.skipOwnership ? 1 : 0,
        status: 'running',
        stage: 'starting',
        bytes: 0,
        total_bytes: input.totalBytes ?? null,
        started_at: iso(ctx.now()),
        ended_at: null,
        error_code: null,
        error_message: null,
        owner: input.owner ?? null,
        log_count: 0,
      } satisfies Insertable<RestoresTable>;
      await ctx.db().insertInto('restores').values(row).execute();
      return toRestore(row);
    },

    async get(id) {
      const row = await getRow(ctx.db(), id);
      return row === undefined ? undefined : toRestore(row);
    },

    async list(filter = {}) {
      let query = ctx.db().selectFrom('restores').selectAll();
      if (filter.statuses !== undefined) {
        if (filter.statuses.length === 0) return [];
        query = query.where('status', 'in', [...filter.statuses]);
      }
      if (filter.before !== undefined) query = query.where('started_at', '<', iso(filter.before));
      const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 50).execute();
      return rows.map(toRestore);
    },

    update(id, patch) {
      return atomically(ctx.db(), async (db) => {
        const set = toUpdate(patch);
        if (Object.keys(set).length > 0) {
          const result = await db.updateTable('restores').set(set).where('id', '=', id).executeTakeFirst();
          if (result.numUpdatedRows === 0n) throw notFound('Restore', id);
        }
        const row = await getRow(db, id);
        if (row === undefined) throw notFound('Restore', id);
        return toRestore(row);
      });
    },

    appendLog(restoreId, level, message) {
      return atomically(ctx.db(), async (db) => {
        // Numbered by the counter on the restore row, as run logs are (see runs.repository.ts).
        const counter = await db
          .updateTable('restores')
          .set((eb) => ({ log_count: eb('log_count', '+', 1) }))
          .where('id', '=', restoreId)
          .returning('log_count')
          .executeTakeFirst();
        if (counter === undefined) throw notFound('Restore', restoreId);
        const count = Number(counter.log_count);
        const line = { restore_id: restoreId, seq: Math.min(count, RESTORE_LOG_LIMIT), at: iso(ctx.now()), level, message: redact(message) };
        // Past the limit the newest line takes the last place: the log stays bounded and still
        // ends with what happened last (the outcome).
        if (count > RESTORE_LOG_LIMIT) await db.deleteFrom('restore_logs').where('restore_id', '=', restoreId).where('seq', '=', line.seq).execute();
        await db.insertInto('restore_logs').values(line).execute();
        return toLogLine(line);
      });
    },

    async logs(restoreIds) {
      if (restoreIds.length === 0) return [];
      const rows = await ctx.db()
        .selectFrom('restore_logs')
        .selectAll()
        .where('restore_id', 'in', [...restoreIds])
        .orderBy('restore_id')
        .orderBy('seq')
        .execute();
      return rows.map(toLogLine);
    },

    markRunningInterrupted(message, abandoned) {
      return atomically(ctx.db(), async (db) => {
        const rows = await db.selectFrom('restores').selectAll().where('status', '=', 'running').orderBy('started_at').orderBy('id').execute();
        const marked: RestoreRecord[] = [];
        for (const row of rows) {
          const restore = toRestore(row);
          if (!abandoned(restore)) continue;
          await db
            .updateTable('restores')
            .set({ status: 'interrupted', ended_at: iso(ctx.now()), error_code: 'interrupted', error_message: redact(message(restore)) })
            .where('id', '=', row.id)
            .where('status', '=', 'running')
            .execute();
          const updated = await getRow(db, row.id);
          if (updated !== undefined) marked.push(toRestore(updated));
        }
        return marked;
      });
    },

    pruneFinished(endedBefore) {
      return atomically(ctx.db(), async (db) => {
        const rows = await db.selectFrom('restores').select('id').where('status', '!=', 'running').where('ended_at', '<', iso(endedBefore)).execute();
        const ids = rows.map((row) => row.id);
        for (const batch of batches(ids, PRUNE_BATCH)) {
          await db.deleteFrom('restore_logs').where('restore_id', 'in', batch).execute();
          await db.deleteFrom('restores').where('id', 'in', batch).execute();
        }
        return ids.length;
      });
    },
  };
}

function toUpdate(patch: RestorePatch): RestoreUpdate {
  const set: RestoreUpdate = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.stage !== undefined) set.stage = patch.stage;
  if (patch.bytes !== undefined) set.bytes = patch.bytes;
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt === null ? null : iso(patch.endedAt);
  if (patch.errorCode !== undefined) set.error_code = patch.errorCode;
  if (patch.errorMessage !== undefined) set.error_message = patch.errorMessage === null ? null : redact(patch.errorMessage);
  return set;
}

function toRestore(row: Selectable<RestoresTable>): RestoreRecord {
  return {
    id: row.id,
    destinationId: row.destination_id,
    key: row.object_key,
    sourceId: row.source_id,
    sourceName: row.source_name,
    database: row.database_name,
    options: { createDatabase: row.create_database === 1, dropExisting: row.drop_existing === 1, skipOwnership: row.skip_ownership === 1 },
    status: row.status as RestoreRecord['status'],
    stage: orUndefined(row.stage) as RestoreRecord['stage'],
    bytes: toNumber(row.bytes),
    totalBytes: row.total_bytes === null ? undefined : toNumber(row.total_bytes),
    startedAt: toDate(row.started_at),
    endedAt: toOptionalDate(row.ended_at),
    errorCode: orUndefined(row.error_code),
    errorMessage: orUndefined(row.error_message),
    owner: orUndefined(row.owner),
  };
}

function toLogLine(row: Selectable<RestoreLogsTable>): RestoreLogLine {
  return { restoreId: row.restore_id, seq: Number(row.seq), at: toDate(row.at), level: row.level as RestoreLogLevel, message: row.message };
}
