import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { navigate } from '../navigation.ts';
import { errorText, formatBytes, formatDuration, formatTime } from './format.ts';
import { InterruptedRestoresNotice } from './InterruptedRestoresNotice.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { backupFileName } from './RestoreStageProgress.tsx';
import { RestoreStatusBadge } from './RestoreStatusBadge.tsx';
import type { RestoreOperation, RestoreStatus } from './types.ts';
import { usePolling } from './use-polling.ts';

const STATUSES: RestoreStatus[] = ['running', 'success', 'failed', 'cancelled', 'interrupted'];

/** The restore history (web UI, API and CLI restores), newest first; refreshes every second while one runs. */
export function RestoresPage() {
  const toast = useToast();
  const [status, setStatus] = useState(new URLSearchParams(window.location.search).get('status') ?? '');
  const [restores, setRestores] = useState<RestoreOperation[] | undefined>();
  const active = restores?.some((restore) => restore.status === 'running') ?? false;

  const load = useCallback(async () => {
    try {
      const params = new URLSearchParams({ ...(status ? { status } : {}), limit: '100' });
      setRestores(await api<RestoreOperation[]>('GET', `/api/restores?${params}`));
    } catch (error) {
      toast('error', errorText(error));
    }
  }, [status, toast]);
  usePolling(load, active ? 1000 : 5000, [load, active]);

  const open = (restore: RestoreOperation) => navigate(`/restores/${encodeURIComponent(restore.id)}`);
  return (
    <section>
      <h1>Restores</h1>
      <InterruptedRestoresNotice restores={restores ?? []} />
      <div className="filters">
        <select aria-label="Filter by status" value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">Any status</option>
          {STATUSES.map((value) => <option key={value} value={value}>{value}</option>)}
        </select>
      </div>
      <table className="table">
        <thead><tr><th>Started</th><th>Backup</th><th>Restored into</th><th>Status</th><th>Progress / result</th><th>Duration</th></tr></thead>
        <tbody>
          {restores?.length === 0 && <tr><td colSpan={6} className="muted">No restores yet. Restore a backup from the Storage page.</td></tr>}
          {restores?.map((restore) => (
            <tr key={restore.id} className="clickable" data-restore={restore.id} onClick={() => open(restore)}>
              <td><a href={`/restores/${encodeURIComponent(restore.id)}`} onClick={(event) => { event.preventDefault(); open(restore); }}>{formatTime(restore.startedAt)}</a></td>
              <td className="small"><code>{backupFileName(restore.key)}</code><div className="muted">{restore.destinationName}</div></td>
              <td><strong>{restore.database}</strong> <span className="muted small">on {restore.sourceName}</span></td>
              <td><RestoreStatusBadge status={restore.status} /></td>
              <td className="small">
                {restore.status === 'running'
                  ? <><ProgressBar fraction={undefined} label={`Progress of the restore into ${restore.database}`} /> {restore.stage ?? 'starting'} · {formatBytes(restore.bytes)}</>
                  : <span className={restore.error && restore.status !== 'cancelled' ? 'error-text' : 'muted'}>{restore.error?.message ?? ''}</span>}
              </td>
              <td>{formatDuration(restore.startedAt, restore.endedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
