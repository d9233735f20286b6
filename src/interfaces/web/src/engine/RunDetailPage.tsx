import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { navigate } from '../navigation.ts';
import { errorText, formatBytes, formatDuration, formatTime } from './format.ts';
import { RunLog } from './RunLog.tsx';
import { RunProgress } from './RunProgress.tsx';
import { RunStatusBadge } from './RunStatusBadge.tsx';
import type { Run } from './types.ts';
import { usePolling } from './use-polling.ts';

/** One run: live progress while active (polled every second), results per destination, the log. */
export function RunDetailPage({ runId }: { runId: string }) {
  const toast = useToast();
  const [run, setRun] = useState<Run | undefined>();
  const [error, setError] = useState('');
  const active = !run || run.status === 'queued' || run.status === 'running';

  const load = useCallback(async () => {
    try {
      setRun(await api<Run>('GET', `/api/runs/${encodeURIComponent(runId)}`));
    } catch (caught) {
      setError(errorText(caught));
    }
  }, [runId]);
  usePolling(load, active && !error ? 1000 : 0, [load, active, error]);

  const cancel = async () => {
    try {
      setRun(await api<Run>('POST', `/api/runs/${encodeURIComponent(runId)}/cancel`));
      toast('info', 'Cancelling…');
    } catch (caught) {
      toast('error', errorText(caught));
    }
  };

  const runAgain = async () => {
    if (!run) return;
    try {
      const next = await api<Run>('POST', `/api/jobs/${encodeURIComponent(run.jobId)}/run`);
      navigate(`/runs/${encodeURIComponent(next.id)}`);
    } catch (caught) {
      toast('error', errorText(caught));
    }
  };

  if (error) return <section><h1>Run</h1><p className="error-text" role="alert">{error}</p></section>;
  if (!run) return <section><h1>Run</h1><p className="muted">Loading…</p></section>;
  return (
    <section>
      <div className="page-header">
        <h1>
          {run.jobName} <RunStatusBadge status={run.status} />
        </h1>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => navigate('/runs')}>All runs</button>
          {active ? (
            <button type="button" className="danger" onClick={() => void cancel()}>Cancel run</button>
          ) : (
            <button type="button" onClick={() => void runAgain()}>Run now</button>
          )}
        </div>
      </div>
      <p className="muted small">
        {run.trigger === 'manual' ? 'Started by hand' : 'Scheduled'} · queued {formatTime(run.queuedAt)}
        {run.endedAt && ` · finished ${formatTime(run.endedAt)} after ${formatDuration(run.startedAt ?? run.queuedAt, run.endedAt)}`}
        {run.backupKey && <> · <code>{run.backupKey}</code></>}
      </p>
      {active && <RunProgress run={run} />}
      {run.errorMessage && <div className={run.status === 'partial' ? 'warning-box' : 'notice notice-error'} role="alert">{run.errorMessage}</div>}
      {run.destinationResults.length > 0 && (
        <table className="table section">
          <thead><tr><th>Destination</th><th>Result</th><th>Stored size</th><th>Message</th></tr></thead>
          <tbody>
            {run.destinationResults.map((result) => (
              <tr key={result.destinationId}>
                <td>{result.destinationName}</td>
                <td><span className={`badge ${result.status === 'success' ? 'badge-green' : result.status === 'failed' ? 'badge-red' : 'badge-muted'}`}>{result.status}</span></td>
                <td>{formatBytes(result.bytes)}</td>
                <td className="small">{result.errorMessage ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!active && run.bytes > 0 && <p className="small muted">Dump size {formatBytes(run.bytes)}.</p>}
      <h2 className="section">Log</h2>
      <RunLog runId={run.id} active={active} />
    </section>
  );
}
