import type { Kysely, Selectable } from 'kysely';
import type { Job, JobPatch, JobsRepository, NewJob, RetentionPolicy } from '../../../ports/metadata-store.port.ts';
import { constraintKind } from '../db-errors.ts';
import { newId } from '../ids.ts';
import type { JobsTable, StoreSchema } from '../schema.ts';
import { atomically, conflict, invalidInput, iso, notFound, orUndefined, toDate, type RepositoryContext } from './common.ts';

/** Folder names are compared the way Dropbox compares paths: case-insensitively. */
export const folderKey = (folderName: string): string => folderName.normalize('NFC').toLowerCase();

export function createJobsRepository(ctx: RepositoryContext): JobsRepository {
  const destinationsOf = async (db: Kysely<StoreSchema>, jobIds: string[]): Promise<Map<string, string[]>> => {
    const map = new Map<string, string[]>(jobIds.map((id) => [id, []]));
    if (jobIds.length === 0) return map;
    const rows = await db
      .selectFrom('job_destinations')
      .select(['job_id', 'destination_id'])
      .where('job_id', 'in', jobIds)
      .orderBy('job_id')
      .orderBy('position')
      .execute();
    for (const row of rows) map.get(row.job_id)?.push(row.destination_id);
    return map;
  };

  const load = async (db: Kysely<StoreSchema>, rows: Selectable<JobsTable>[]): Promise<Job[]> => {
    const destinations = await destinationsOf(db, rows.map((r) => r.id));
    return rows.map((row) => toJob(row, destinations.get(row.id) ?? []));
  };

  /** Clear `not_found`/`conflict` errors before the constraints would give vague ones. */
  const checkReferences = async (db: Kysely<StoreSchema>, jobId: string | undefined, job: Omit<NewJob, 'name'>) => {
    if (job.folderName.trim() === '') throw invalidInput('Enter a folder name for the job.');
    const clash = await db.selectFrom('jobs').select(['id', 'name']).where('folder_key', '=', folderKey(job.folderName)).executeTakeFirst();
    if (clash !== undefined && clash.id !== jobId) throw folderConflict(job.folderName, clash);
    const source = await db.selectFrom('sources').select('id').where('id', '=', job.sourceId).executeTakeFirst();
    if (source === undefined) throw notFound('Source', job.sourceId);
    if (new Set(job.destinationIds).size !== job.destinationIds.length) throw invalidInput('Each destination can be chosen only once per job.');
    if (job.destinationIds.length > 0) {
      const found = await db.selectFrom('destinations').select('id').where('id', 'in', job.destinationIds).execute();
      const missing = job.destinationIds.find((id) => !found.some((f) => f.id === id));
      if (missing !== undefined) throw notFound('Destination', missing);
    }
    if (job.encryptionProfileId !== undefined) {
      const profile = await db.selectFrom('encryption_profiles').select('id').where('id', '=', job.encryptionProfileId).executeTakeFirst();
      if (profile === undefined) throw notFound('Encryption profile', job.encryptionProfileId);
    }
  };

  const writeDestinations = async (db: Kysely<StoreSchema>, jobId: string, destinationIds: string[]) => {
    await db.deleteFrom('job_destinations').where('job_id', '=', jobId).execute();
    if (destinationIds.length === 0) return;
    await db
      .insertInto('job_destinations')
      .values(destinationIds.map((destinationId, position) => ({ job_id: jobId, destination_id: destinationId, position })))
      .execute();
  };

  /** The unique index is the real guard (two writers at once); translate its error. */
  const guardFolder = async <T>(folderName: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (constraintKind(error) !== 'unique') throw error;
      throw folderConflict(folderName, { id: '', name: '(another job)' });
    }
  };

  return {
    create(input) {
      return atomically(ctx.db(), async (db) => {
        if (input.name.trim() === '') throw invalidInput('Enter a name for the job.');
        await checkReferences(db, undefined, input);
        const now = iso(ctx.now());
        const row: Selectable<JobsTable> = {
          id: newId(),
          name: input.name.trim(),
          folder_name: input.folderName,
          folder_key: folderKey(input.folderName),
          source_id: input.sourceId,
          database_name: input.database ?? null,
          schedule_cron: input.schedule?.cron ?? null,
          schedule_timezone: input.schedule?.timezone ?? null,
          compression: input.compression ?? 'gzip',
          encryption_profile_id: input.encryptionProfileId ?? null,
          retention_json: JSON.stringify(input.retention ?? {}),
          enabled: input.enabled === false ? 0 : 1,
          created_at: now,
          updated_at: now,
        };
        await guardFolder(input.folderName, () => db.insertInto('jobs').values(row).execute());
        await writeDestinations(db, row.id, input.destinationIds);
        return toJob(row, [...input.destinationIds]);
      });
    },

    async get(id) {
      const db = ctx.db();
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : (await load(db, [row]))[0];
    },

    async findByFolderName(folderName) {
      const db = ctx.db();
      const row = await db.selectFrom('jobs').selectAll().where('folder_key', '=', folderKey(folderName)).executeTakeFirst();
      return row === undefined ? undefined : (await load(db, [row]))[0];
    },

    async list() {
      const db = ctx.db();
      return load(db, await db.selectFrom('jobs').selectAll().orderBy('name').orderBy('id').execute());
    },

    update(id, patch: JobPatch) {
      return atomically(ctx.db(), async (db) => {
        const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
        if (row === undefined) throw notFound('Job', id);
        const current = (await load(db, [row]))[0]!;
        if (patch.name !== undefined && patch.name.trim() === '') throw invalidInput('Enter a name for the job.');
        const folderName = patch.folderName ?? current.folderName;
        const destinationIds = patch.destinationIds ?? current.destinationIds;
        const profileId = patch.encryptionProfileId === undefined ? current.encryptionProfileId : (patch.encryptionProfileId ?? undefined);
        await checkReferences(db, id, {
          folderName,
          sourceId: patch.sourceId ?? current.sourceId,
          destinationIds,
          ...(profileId === undefined ? {} : { encryptionProfileId: profileId }),
        });
        const schedule = patch.schedule === undefined ? current.schedule : (patch.schedule ?? undefined);
        const next: Selectable<JobsTable> = {
          ...row,
          name: patch.name?.trim() ?? row.name,
          folder_name: folderName,
          folder_key: folderKey(folderName),
          source_id: patch.sourceId ?? row.source_id,
          database_name: patch.database === undefined ? row.database_name : patch.database,
          schedule_cron: schedule?.cron ?? null,
          schedule_timezone: schedule?.timezone ?? null,
          compression: patch.compression ?? row.compression,
          encryption_profile_id: profileId ?? null,
          retention_json: patch.retention === undefined ? row.retention_json : JSON.stringify(patch.retention),
          enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
          updated_at: iso(ctx.now()),
        };
        await guardFolder(folderName, () => db.updateTable('jobs').set(next).where('id', '=', id).execute());
        if (patch.destinationIds !== undefined) await writeDestinations(db, id, destinationIds);
        return toJob(next, [...destinationIds]);
      });
    },

    async delete(id) {
      const result = await ctx.db().deleteFrom('jobs').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function folderConflict(folderName: string, clash: { id: string; name: string }) {
  return conflict(
    `The folder name "${folderName}" is already used by job "${clash.name}" (folder names are compared ignoring case, as Dropbox does). Choose another folder name.`,
    { field: 'folderName', conflictingJob: clash },
  );
}

function toJob(row: Selectable<JobsTable>, destinationIds: string[]): Job {
  return {
    id: row.id,
    name: row.name,
    folderName: row.folder_name,
    sourceId: row.source_id,
    database: orUndefined(row.database_name),
    destinationIds,
    schedule:
      row.schedule_cron === null ? undefined : { cron: row.schedule_cron, timezone: row.schedule_timezone ?? 'UTC' },
    compression: row.compression as Job['compression'],
    encryptionProfileId: orUndefined(row.encryption_profile_id),
    retention: JSON.parse(row.retention_json) as RetentionPolicy,
    enabled: row.enabled === 1,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
