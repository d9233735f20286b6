import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { redact } from '../../../core/secret.ts';
import {
  UNFINISHED_RUN_STATUSES,
  type DestinationResult,
  type Run,
  type RunLogLine,
  type RunLogLevel,
  type RunPatch,
  type RunsRepository,
} from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import { newId } from '../ids.ts';
import type { RunsTable, StoreSchema } from '../schema.ts';
import { atomically, batches, iso, notFound, PRUNE_BATCH, orUndefined, toDate, toNumber, toOptionalDate, type RepositoryContext } from './common.ts';

export const INTERRUPTED_MESSAGE =
  'DBackup stopped while this run was in progress (restart or crash). Nothing partial was kept; run the job again.';

type RunUpdate = Omit<Updateable<RunsTable>, 'id' | 'job_id' | 'queued_at' | 'triggered_by' | 'log_count'>;

export function createRunsRepository(ctx: RepositoryContext): RunsRepository {
  const getRow = (db: Kysely<StoreSchema>, id: string) => db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();

  return {
    async create({ jobId, trigger, owner }) {
      const row = {
        id: newId(),
        job_id: jobId,
        status: 'queued',
        triggered_by: trigger,
        stage: null,
        bytes: 0,
        rate: null,
        eta_seconds: null,
        queued_at: iso(ctx.now()),
        started_at: null,
        ended_at: null,
        error_code: null,
        error_message: null,
        destination_results_json: '[]',
        backup_key: null,
        log_count: 0,
        owner: owner ?? null,
      } satisfies Insertable<RunsTable>;
      try {
        await ctx.db().insertInto('runs').values(row).execute();
      } catch (error) {
        if (constraintKind(error) === 'foreign_key') throw notFound('Job', jobId);
        throw error;
      }
      return toRun(row);
    },

    async get(id) {
      const row = await getRow(ctx.db(), id);
      return row === undefined ? undefined : toRun(row);
    },

    async list(filter = {}) {
      let query = ctx.db().selectFrom('runs').selectAll();
      if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
      if (filter.statuses !== undefined) {
        if (filter.statuses.length === 0) return [];
        query = query.where('status', 'in', [...filter.statuses]);
      }
      if (filter.since !== undefined) query = query.where('queued_at', '>=', iso(filter.since));
      if (filter.before !== undefined) query = query.where('queued_at', '<', iso(filter.before));
      const rows = await query.orderBy('queued_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 50).execute();
      return rows.map(toRun);
    },

    async latestPerJob() {
      const rows = await ctx.db()
        .selectFrom('runs as r')
        .selectAll('r')
        .where('r.id', '=', (eb) =>
          eb
            .selectFrom('runs as r2')
            .select('r2.id')
            .whereRef('r2.job_id', '=', 'r.job_id')
            .orderBy('r2.queued_at', 'desc')
            .orderBy('r2.id', 'desc')
            .limit(1),
        )
        .orderBy('r.job_id')
        .execute();
      return rows.map(toRun);
    },

    update(id, patch) {
      return atomically(ctx.db(), async (db) => {
        const set = toUpdate(patch);
        if (Object.keys(set).length > 0) {
          const result = await db.updateTable('runs').set(set).where('id', '=', id).executeTakeFirst();
          if (result.numUpdatedRows === 0n) throw notFound('Run', id);
        }
        const row = await getRow(db, id);
        if (row === undefined) throw notFound('Run', id);
        return toRun(row);
      });
    },

    appendLog(runId, level, message) {
      return atomically(ctx.db(), async (db) => {
        // The counter on the run row numbers lines atomically on both databases (row lock on
        // PostgreSQL), without autoincrement columns, whose syntax differs between them.
        const counter = await db
          .updateTable('runs')
          .set((eb) => ({ log_count: eb('log_count', '+', 1) }))
          .where('id', '=', runId)
          .returning('log_count')
          .executeTakeFirst();
        if (counter === undefined) throw notFound('Run', runId);
        const line = { run_id: runId, seq: counter.log_count, at: iso(ctx.now()), level, message: redact(message) };
        await db.insertInto('run_logs').values(line).execute();
        return toLogLine(line);
      });
    },

    async logs(runId, { afterSeq = 0, limit = 1000 } = {}) {
      const rows = await ctx.db()
        .selectFrom('run_logs')
        .selectAll()
        .where('run_id', '=', runId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toLogLine);
    },

    markUnfinishedRunsInterrupted(message = INTERRUPTED_MESSAGE, abandoned = () => true) {
      return atomically(ctx.db(), async (db) => {
        const unfinished = [...UNFINISHED_RUN_STATUSES];
        const rows = await db.selectFrom('runs').selectAll().where('status', 'in', unfinished).execute();
        const ids = rows.filter((row) => abandoned(toRun(row))).map((row) => row.id);
        if (ids.length === 0) return [];
        await db
          .updateTable('runs')
          .set({ status: 'interrupted', ended_at: iso(ctx.now()), error_code: 'interrupted', error_message: message, rate: null, eta_seconds: null })
          .where('id', 'in', ids)
          .where('status', 'in', unfinished)
          .execute();
        const marked = await db.selectFrom('runs').selectAll().where('id', 'in', ids).orderBy('queued_at').orderBy('id').execute();
        return marked.map(toRun);
      });
    },

    pruneFinished(endedBefore) {
      return atomically(ctx.db(), async (db) => {
        const rows = await db
          .selectFrom('runs as r')
          .select('r.id')
          .where('r.status', 'not in', [...UNFINISHED_RUN_STATUSES])
          .where('r.ended_at', '<', iso(endedBefore))
          .where('r.id', '!=', (eb) =>
            eb.selectFrom('runs as r2').select('r2.id').whereRef('r2.job_id', '=', 'r.job_id').orderBy('r2.queued_at', 'desc').orderBy('r2.id', 'desc').limit(1),
          )
          .execute();
        const ids = rows.map((row) => row.id);
        for (const batch of batches(ids, PRUNE_BATCH)) {
          await db.deleteFrom('run_logs').where('run_id', 'in', batch).execute();
          await db.updateTable('backups').set({ run_id: null }).where('run_id', 'in', batch).execute();
          await db.deleteFrom('runs').where('id', 'in', batch).execute();
        }
        return ids.length;
      });
    },
  };
}

function toUpdate(patch: RunPatch): RunUpdate {
  const set: RunUpdate = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.stage !== undefined) set.stage = patch.stage;
  if (patch.bytes !== undefined) set.bytes = patch.bytes;
  if (patch.rate !== undefined) set.rate = patch.rate;
  if (patch.etaSeconds !== undefined) set.eta_seconds = patch.etaSeconds === null ? null : Math.round(patch.etaSeconds);
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt === null ? null : iso(patch.startedAt);
  if (patch.endedAt !== undefined) set.ended_at = patch.endedAt === null ? null : iso(patch.endedAt);
  if (patch.errorCode !== undefined) set.error_code = patch.errorCode;
  if (patch.errorMessage !== undefined) set.error_message = patch.errorMessage === null ? null : redact(patch.errorMessage);
  if (patch.destinationResults !== undefined) set.destination_results_json = JSON.stringify(patch.destinationResults);
  if (patch.backupKey !== undefined) set.backup_key = patch.backupKey;
  return set;
}

function toRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    jobId: row.job_id,
    status: row.status as Run['status'],
    trigger: row.triggered_by as Run['trigger'],
    stage: orUndefined(row.stage),
    bytes: toNumber(row.bytes),
    rate: row.rate === null ? undefined : Number(row.rate),
    etaSeconds: orUndefined(row.eta_seconds),
    queuedAt: toDate(row.queued_at),
    startedAt: toOptionalDate(row.started_at),
    endedAt: toOptionalDate(row.ended_at),
    errorCode: orUndefined(row.error_code),
    errorMessage: orUndefined(row.error_message),
    destinationResults: JSON.parse(row.destination_results_json) as DestinationResult[],
    backupKey: orUndefined(row.backup_key),
    owner: orUndefined(row.owner),
  };
}

function toLogLine(row: { seq: number; at: string; level: string; message: string }): RunLogLine {
  return { seq: Number(row.seq), at: toDate(row.at), level: row.level as RunLogLevel, message: row.message };
}
