import type { Insertable, Selectable } from 'kysely';
import type { BackupRecord, BackupsRepository } from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import { newId } from '../ids.ts';
import type { BackupsTable } from '../schema.ts';
import { iso, orUndefined, toDate, toNumber, toOptionalDate, type RepositoryContext } from './common.ts';
import { DBackupError } from '../../../core/errors.ts';

export function createBackupsRepository(ctx: RepositoryContext): BackupsRepository {
  return {
    async record(input) {
      const row = {
        id: newId(),
        destination_id: input.destinationId,
        object_key: input.key,
        job_id: input.jobId ?? null,
        run_id: input.runId ?? null,
        size: input.size,
        created_at: iso(input.createdAt),
        sha256: input.sha256 ?? null,
        content_hash: input.contentHash ?? null,
        compression: input.compression,
        encryption_profile_id: input.encryptionProfileId ?? null,
        verified_at: null,
        meta_json: JSON.stringify(input.meta ?? {}),
      } satisfies Insertable<BackupsTable>;
      const { id: _id, destination_id: _d, object_key: _k, ...replaceable } = row;
      try {
        const stored = await ctx.db()
          .insertInto('backups')
          .values(row)
          .onConflict((oc) => oc.columns(['destination_id', 'object_key']).doUpdateSet(replaceable))
          .returningAll()
          .executeTakeFirstOrThrow();
        return toBackup(stored);
      } catch (error) {
        if (constraintKind(error) === 'foreign_key') {
          throw new DBackupError('not_found', 'The destination, job, run or encryption profile of this backup does not exist.', {
            retryable: false,
            cause: error,
          });
        }
        throw error;
      }
    },

    async get(id) {
      const row = await ctx.db().selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toBackup(row);
    },

    async findByKey(destinationId, key) {
      const row = await ctx.db()
        .selectFrom('backups')
        .selectAll()
        .where('destination_id', '=', destinationId)
        .where('object_key', '=', key)
        .executeTakeFirst();
      return row === undefined ? undefined : toBackup(row);
    },

    async list(filter = {}) {
      let query = ctx.db().selectFrom('backups').selectAll();
      if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
      if (filter.destinationId !== undefined) query = query.where('destination_id', '=', filter.destinationId);
      query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      return (await query.execute()).map(toBackup);
    },

    async markVerified(id) {
      await ctx.db().updateTable('backups').set({ verified_at: iso(ctx.now()) }).where('id', '=', id).execute();
    },

    async delete(destinationId, key) {
      const result = await ctx.db()
        .deleteFrom('backups')
        .where('destination_id', '=', destinationId)
        .where('object_key', '=', key)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function toBackup(row: Selectable<BackupsTable>): BackupRecord {
  return {
    id: row.id,
    destinationId: row.destination_id,
    key: row.object_key,
    jobId: orUndefined(row.job_id),
    runId: orUndefined(row.run_id),
    size: toNumber(row.size),
    createdAt: toDate(row.created_at),
    sha256: orUndefined(row.sha256),
    contentHash: orUndefined(row.content_hash),
    compression: row.compression as BackupRecord['compression'],
    encryptionProfileId: orUndefined(row.encryption_profile_id),
    verifiedAt: toOptionalDate(row.verified_at),
    meta: JSON.parse(row.meta_json) as Record<string, unknown>,
  };
}
