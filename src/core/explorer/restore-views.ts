/**
 * Restore records as their callers see them: with their log lines and the destination's current
 * name ("(deleted destination)" once it is gone). One query for the logs of all of them.
 */
import type { Repositories, RestoreRecord } from '../../ports/metadata-store.port.ts';
import type { RestoreOperation } from './restore-operation.ts';

export async function restoreViews(store: Pick<Repositories, 'restores' | 'destinations'>, records: RestoreRecord[]): Promise<RestoreOperation[]> {
  if (records.length === 0) return [];
  const [lines, destinations] = await Promise.all([store.restores.logs(records.map((record) => record.id)), store.destinations.list()]);
  const names = new Map(destinations.map((destination) => [destination.id, destination.name]));
  return records.map((record) => ({
    id: record.id,
    destinationId: record.destinationId,
    destinationName: names.get(record.destinationId) ?? '(deleted destination)',
    key: record.key,
    sourceId: record.sourceId,
    sourceName: record.sourceName,
    database: record.database,
    options: record.options,
    status: record.status,
    stage: record.stage,
    bytes: record.bytes,
    totalBytes: record.totalBytes,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    error: record.errorCode === undefined ? undefined : { code: record.errorCode, message: record.errorMessage ?? '' },
    owner: record.owner,
    log: lines.filter((line) => line.restoreId === record.id).map(({ at, level, message }) => ({ at, level, message })),
  }));
}
