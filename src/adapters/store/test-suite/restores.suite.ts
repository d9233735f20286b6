import { expect, it } from 'vitest';
import { RESTORE_LOG_LIMIT, type NewRestore } from '../../../ports/metadata-store.port.ts';
import { rejection, type StoreHarness } from './harness.ts';

const restoreOf = (database: string, owner?: string): NewRestore => ({
  destinationId: 'dest-1',
  key: 'shop/backup_2024-01-15T12-00-00.sql.gz.enc',
  sourceId: 'source-1',
  sourceName: 'Production',
  database,
  options: { createDatabase: true, dropExisting: false, skipOwnership: true },
  totalBytes: 6 * 1024 ** 3,
  ...(owner === undefined ? {} : { owner }),
});

export function restoresSuite(h: () => StoreHarness): void {
  it('restores: lifecycle, large byte counts, newest first, status filter and paging', async () => {
    const { store, clock } = h();
    const first = await store.restores.create(restoreOf('shop', 'host 10 start'));
    expect(first).toMatchObject({
      status: 'running', stage: 'starting', bytes: 0, totalBytes: 6 * 1024 ** 3, startedAt: clock.now(), endedAt: undefined, owner: 'host 10 start',
      options: { createDatabase: true, dropExisting: false, skipOwnership: true }, sourceName: 'Production', database: 'shop',
    });
    expect(await store.restores.get(first.id)).toEqual(first);
    clock.advance(1000);
    const big = 5 * 1024 ** 4; // 5 TiB: beyond 32-bit integers
    const done = await store.restores.update(first.id, { stage: null, bytes: big, status: 'success', endedAt: clock.now() });
    expect(done).toMatchObject({ status: 'success', stage: undefined, bytes: big, endedAt: clock.now(), errorCode: undefined });
    expect(await store.restores.get(first.id)).toEqual(done);

    clock.advance(1000);
    const second = await store.restores.create({ ...restoreOf('shop_copy'), totalBytes: undefined });
    expect(second).toMatchObject({ totalBytes: undefined, owner: undefined });
    await store.restores.update(second.id, { status: 'failed', endedAt: clock.now(), errorCode: 'conflict', errorMessage: 'Database "shop_copy" is not empty.' });
    clock.advance(1000);
    const third = await store.restores.create(restoreOf('blog'));

    expect((await store.restores.list()).map((r) => r.id)).toEqual([third.id, second.id, first.id]);
    expect((await store.restores.list({ limit: 2 })).map((r) => r.id)).toEqual([third.id, second.id]);
    expect((await store.restores.list({ before: third.startedAt })).map((r) => r.id)).toEqual([second.id, first.id]);
    expect((await store.restores.list({ statuses: ['failed', 'running'] })).map((r) => r.id)).toEqual([third.id, second.id]);
    expect(await store.restores.list({ statuses: [] })).toEqual([]);
    expect(await store.restores.get(second.id)).toMatchObject({ errorCode: 'conflict', errorMessage: 'Database "shop_copy" is not empty.' });
    expect(await store.restores.get('nope')).toBeUndefined();
    expect((await rejection(store.restores.update('nope', { bytes: 1 }))).code).toBe('not_found');
  });

  it('restores: log lines are numbered per restore, redacted, and bounded with the newest line kept last', async () => {
    const { store } = h();
    const a = await store.restores.create(restoreOf('a'));
    const b = await store.restores.create(restoreOf('b'));
    await store.restores.appendLog(a.id, 'info', 'Downloading…');
    await store.restores.appendLog(b.id, 'info', 'Other restore');
    await store.restores.appendLog(a.id, 'error', 'psql: PGPASSWORD=hunter2 rejected');
    const lines = await store.restores.logs([a.id, b.id]);
    expect(lines.filter((l) => l.restoreId === a.id).map((l) => [l.seq, l.level, l.message])).toEqual([
      [1, 'info', 'Downloading…'],
      [2, 'error', 'psql: PGPASSWORD=[redacted] rejected'],
    ]);
    expect(lines.filter((l) => l.restoreId === b.id).map((l) => l.message)).toEqual(['Other restore']);
    expect(await store.restores.logs([])).toEqual([]);

    for (let i = 3; i <= RESTORE_LOG_LIMIT + 5; i++) await store.restores.appendLog(a.id, 'info', `line ${i}`);
    const last = await store.restores.appendLog(a.id, 'info', 'Restore finished successfully.');
    expect(last.seq).toBe(RESTORE_LOG_LIMIT);
    const kept = await store.restores.logs([a.id]);
    expect(kept).toHaveLength(RESTORE_LOG_LIMIT);
    expect(kept.map((l) => l.seq)).toEqual(Array.from({ length: RESTORE_LOG_LIMIT }, (_, i) => i + 1));
    expect(kept[RESTORE_LOG_LIMIT - 2]?.message).toBe(`line ${RESTORE_LOG_LIMIT - 1}`);
    expect(kept.at(-1)?.message).toBe('Restore finished successfully.');
    expect((await rejection(store.restores.appendLog('nope', 'info', 'x'))).code).toBe('not_found');
  });

  it('restores: recovery interrupts only running restores whose owner ended, each with its own message', async () => {
    const { store, clock } = h();
    const alive = await store.restores.create(restoreOf('alive', 'host 10 alive'));
    const dead = await store.restores.create(restoreOf('dead', 'host 11 dead'));
    const legacy = await store.restores.create(restoreOf('legacy'));
    const finished = await store.restores.create(restoreOf('finished', 'host 12 dead'));
    await store.restores.update(finished.id, { status: 'success', stage: null, endedAt: clock.now() });
    await store.restores.update(dead.id, { stage: 'restoring', bytes: 42 });
    clock.advance(60_000);
    const seen: string[] = [];
    const marked = await store.restores.markRunningInterrupted(
      (restore) => `"${restore.database}" on ${restore.sourceName} may be incomplete.`,
      (restore) => {
        seen.push(restore.id);
        return restore.owner !== 'host 10 alive';
      },
    );
    expect(seen.sort()).toEqual([alive.id, dead.id, legacy.id].sort());
    expect(marked.map((r) => r.id).sort()).toEqual([dead.id, legacy.id].sort());
    expect(await store.restores.get(dead.id)).toMatchObject({
      status: 'interrupted', errorCode: 'interrupted', errorMessage: '"dead" on Production may be incomplete.', endedAt: clock.now(), stage: 'restoring', bytes: 42,
    });
    expect((await store.restores.get(legacy.id))?.errorMessage).toBe('"legacy" on Production may be incomplete.');
    expect((await store.restores.get(alive.id))?.status).toBe('running');
    expect((await store.restores.get(finished.id))?.status).toBe('success');
    expect(await store.restores.markRunningInterrupted(() => 'x', () => true)).toHaveLength(1);
    expect(await store.restores.markRunningInterrupted(() => 'x', () => true)).toEqual([]);
  });

  it('restores: pruning deletes finished restores ended before the cutoff with their logs, never a running one', async () => {
    const { store, clock } = h();
    const old = await store.restores.create(restoreOf('shop'));
    await store.restores.appendLog(old.id, 'info', 'Downloading');
    clock.advance(1000);
    await store.restores.update(old.id, { status: 'success', endedAt: clock.now() });
    const running = await store.restores.create(restoreOf('blog'));
    clock.advance(1000);
    const cutoff = clock.now();
    const recent = await store.restores.create(restoreOf('wiki'));
    clock.advance(1000);
    await store.restores.update(recent.id, { status: 'failed', endedAt: clock.now(), errorCode: 'conflict', errorMessage: 'not empty' });

    expect(await store.restores.pruneFinished(cutoff)).toBe(1);
    expect(await store.restores.get(old.id)).toBeUndefined();
    expect(await store.restores.logs([old.id])).toEqual([]);
    expect((await store.restores.list()).map((r) => r.id)).toEqual([recent.id, running.id]);
    clock.advance(86_400_000);
    expect(await store.restores.pruneFinished(clock.now())).toBe(1);
    expect((await store.restores.list()).map((r) => r.id)).toEqual([running.id]);
  });
}
