import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import { navigate } from '../navigation.ts';
import { browserTimeZone, errorText, formatRelative, formatTime } from './format.ts';
import { InterruptedRestoresNotice } from './InterruptedRestoresNotice.tsx';
import { OutcomesChart } from './OutcomesChart.tsx';
import { RunStatusBadge } from './RunStatusBadge.tsx';
import { SizeChart } from './SizeChart.tsx';
import type { Dashboard, RestoreOperation } from './types.ts';
import { usePolling } from './use-polling.ts';

/** The home page: every job's last result and next run at a glance, and two charts. */
export function DashboardPage() {
  const [dashboard, setDashboard] = useState<Dashboard | undefined>();
  const [interrupted, setInterrupted] = useState<RestoreOperation[]>([]);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      const [next, restores] = await Promise.all([
        api<Dashboard>('GET', `/api/dashboard?${new URLSearchParams({ tz: browserTimeZone() })}`),
        api<RestoreOperation[]>('GET', '/api/restores?status=interrupted&limit=20'),
      ]);
      setDashboard(next);
      setInterrupted(restores);
      setError('');
    } catch (caught) {
      setError(errorText(caught));
    }
  }, []);
  usePolling(load, dashboard?.active ? 2000 : 15_000, [dashboard?.active]);

  const link = (path: string, label: string) => <a href={path} onClick={(event) => { event.preventDefault(); navigate(path); }}>{label}</a>;
  return (
    <section>
      <h1>Dashboard</h1>
      {error && <div className="notice notice-error" role="alert">{error}</div>}
      <InterruptedRestoresNotice restores={interrupted} link />
      {dashboard && dashboard.jobs.length === 0 && (
        <div className="panel empty">
          No backup jobs yet. {link('/sources', 'Add a source')}, {link('/destinations', 'a destination')} and optionally {link('/profiles', 'an encryption profile')}, then {link('/jobs', 'create a job')}.
        </div>
      )}
      {dashboard && dashboard.jobs.length > 0 && (
        <table className="table" data-testid="dashboard-jobs">
          <thead><tr><th>Job</th><th>Last result</th><th>Finished</th><th>Next run</th></tr></thead>
          <tbody>
            {dashboard.jobs.map((job) => (
              <tr key={job.id} className="clickable" data-job={job.name} onClick={() => navigate(job.lastRun ? `/runs/${encodeURIComponent(job.lastRun.id)}` : '/jobs')}>
                <td>{job.name} {!job.enabled && <span className="badge badge-muted">disabled</span>}</td>
                <td>
                  <RunStatusBadge status={job.lastRun?.status} />
                  {job.lastRun?.errorMessage && <div className="small error-text">{job.lastRun.errorMessage}</div>}
                </td>
                <td className="small" title={formatTime(job.lastRun?.endedAt)}>{job.lastRun?.endedAt ? formatRelative(job.lastRun.endedAt) : job.lastRun ? 'in progress' : '—'}</td>
                <td className="small" title={formatTime(job.nextRunAt)}>{job.nextRunAt ? `${formatRelative(job.nextRunAt)} · ${formatTime(job.nextRunAt)}` : <span className="muted">manual only</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dashboard && (
        <div className="grid-2 section">
          <div className="panel">
            <h2>Backup outcomes, last {dashboard.days} days</h2>
            <OutcomesChart outcomes={dashboard.outcomes} />
          </div>
          <div className="panel">
            <h2>Backup size per job</h2>
            {dashboard.sizes.length === 0 ? <div className="empty">No successful backups in the last {dashboard.days} days.</div> : <SizeChart sizes={dashboard.sizes} days={dashboard.days} />}
          </div>
        </div>
      )}
    </section>
  );
}
