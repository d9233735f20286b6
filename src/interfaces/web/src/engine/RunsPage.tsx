import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { navigate } from '../navigation.ts';
import { errorText, formatBytes, formatDuration, formatTime } from './format.ts';
import { ProgressBar } from './ProgressBar.tsx';
import { RunStatusBadge } from './RunStatusBadge.tsx';
import type { Job, Run, RunStatus } from './types.ts';
import { usePolling } from './use-polling.ts';

const STATUSES: RunStatus[] = ['queued', 'running', 'success', 'partial', 'failed', 'cancelled', 'interrupted'];

/** Run history with filters; refreshes every second while a run is active. */
export function RunsPage() {
  const toast = useToast();
  const query = new URLSearchParams(window.location.search);
  const [jobId, setJobId] = useState(query.get('jobId') ?? '');
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [runs, setRuns] = useState<Run[] | undefined>();
  const [jobs, setJobs] = useState<Job[]>([]);
  const active = runs?.some((run) => run.status === 'queued' || run.status === 'running') ?? false;

  const load = useCallback(async () => {
    try {
      const params = new URLSearchParams({ ...(jobId ? { jobId } : {}), ...(status ? { status } : {}), limit: '100' });
      const [list, jobList] = await Promise.all([api<Run[]>('GET', `/api/runs?${params}`), api<Job[]>('GET', '/api/jobs')]);
      setRuns(list);
      setJobs(jobList);
    } catch (error) {
      toast('error', errorText(error));
    }
  }, [jobId, status, toast]);
  usePolling(load, active ? 1000 : 5000, [load, active]);

  const open = (run: Run) => navigate(`/runs/${encodeURIComponent(run.id)}`);
  return (
    <section>
      <h1>Runs</h1>
      <div className="filters">
        <select aria-label="Filter by job" value={jobId} onChange={(event) => setJobId(event.target.value)}>
          <option value="">All jobs</option>
          {jobs.map((job) => <option key={job.id} value={job.id}>{job.name}</option>)}
        </select>
        <select aria-label="Filter by status" value={status} onChange={(event) => setStatus(event.target.value)}>
          <option value="">Any status</option>
          {STATUSES.map((value) => <option key={value} value={value}>{value}</option>)}
        </select>
      </div>
      <table className="table">
        <thead><tr><th>Queued</th><th>Job</th><th>Trigger</th><th>Status</th><th>Progress / result</th><th>Dump size</th><th>Duration</th></tr></thead>
        <tbody>
          {runs?.length === 0 && <tr><td colSpan={7} className="muted">No runs yet. Use "Run now" on the Jobs page.</td></tr>}
          {runs?.map((run) => {
            const running = run.status === 'queued' || run.status === 'running';
            return (
              <tr key={run.id} className="clickable" data-run={run.id} onClick={() => open(run)}>
                <td><a href={`/runs/${encodeURIComponent(run.id)}`} onClick={(event) => { event.preventDefault(); open(run); }}>{formatTime(run.queuedAt)}</a></td>
                <td>{run.jobName}</td>
                <td className="small">{run.trigger}</td>
                <td><RunStatusBadge status={run.status} /></td>
                <td className="small">
                  {running ? <><ProgressBar fraction={undefined} label={`Progress of ${run.jobName}`} /> {run.stage ?? 'waiting'} · {formatBytes(run.bytes)}</> : <span className={run.errorMessage ? 'error-text' : 'muted'}>{run.errorMessage ?? run.backupKey ?? ''}</span>}
                </td>
                <td>{formatBytes(run.bytes)}</td>
                <td>{formatDuration(run.startedAt ?? run.queuedAt, run.endedAt)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
