import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { navigate } from '../navigation.ts';
import { errorText, formatBytes, formatDuration, formatTime } from './format.ts';
import { RestoreLog } from './RestoreLog.tsx';
import { backupFileName, RestoreStageProgress } from './RestoreStageProgress.tsx';
import { RestoreStatusBadge } from './RestoreStatusBadge.tsx';
import type { RestoreOperation } from './types.ts';
import { usePolling } from './use-polling.ts';

/** One restore: what was restored from where into what, its outcome and log; live while it runs. */
export function RestoreDetailPage({ restoreId }: { restoreId: string }) {
  const toast = useToast();
  const [restore, setRestore] = useState<RestoreOperation | undefined>();
  const [error, setError] = useState('');
  const active = !restore || restore.status === 'running';
  const path = `/api/restores/${encodeURIComponent(restoreId)}`;

  const load = useCallback(async () => {
    try {
      setRestore(await api<RestoreOperation>('GET', path));
    } catch (caught) {
      setError(errorText(caught));
    }
  }, [path]);
  usePolling(load, active && !error ? 1000 : 0, [load, active, error]);

  const cancel = async () => {
    try {
      setRestore(await api<RestoreOperation>('POST', `${path}/cancel`));
      toast('info', 'Cancelling…');
    } catch (caught) {
      toast('error', errorText(caught));
    }
  };

  if (error) return <section><h1>Restore</h1><p className="error-text" role="alert">{error}</p></section>;
  if (!restore) return <section><h1>Restore</h1><p className="muted">Loading…</p></section>;
  const options = [
    restore.options.createDatabase && 'create the database if missing',
    restore.options.dropExisting && 'replace existing data',
    restore.options.skipOwnership && 'skip ownership, privileges and definers',
  ].filter(Boolean);
  return (
    <section>
      <div className="page-header">
        <h1>
          Restore into {restore.database} <RestoreStatusBadge status={restore.status} />
        </h1>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => navigate('/restores')}>All restores</button>
          {restore.status === 'running' && <button type="button" className="danger" onClick={() => void cancel()}>Cancel restore</button>}
        </div>
      </div>
      <p className="muted small">
        <code>{backupFileName(restore.key)}</code> from {restore.destinationName} into <strong>{restore.database}</strong> on {restore.sourceName}
        {' '}· started {formatTime(restore.startedAt)}
        {restore.endedAt && ` · ended ${formatTime(restore.endedAt)} after ${formatDuration(restore.startedAt, restore.endedAt)}`}
      </p>
      <p className="muted small">
        Options: {options.length > 0 ? options.join(', ') : 'none'}
        {restore.totalBytes !== undefined && ` · backup file ${formatBytes(restore.totalBytes)}`} · key <code>{restore.key}</code>
      </p>
      {restore.status === 'running' && <div className="panel" data-testid="restore-progress"><RestoreStageProgress operation={restore} /></div>}
      {restore.status === 'interrupted' && (
        <div className="warning-box" role="alert" data-testid="restore-interrupted">
          <strong>The database may be incomplete.</strong> {restore.error?.message}
        </div>
      )}
      {restore.error && restore.status !== 'interrupted' && <div className={restore.status === 'cancelled' ? 'notice' : 'notice notice-error'} role="alert">{restore.error.message}</div>}
      <h2 className="section">Log</h2>
      <RestoreLog lines={restore.log} />
    </section>
  );
}
