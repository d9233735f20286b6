import { useCallback, useState } from 'react';
import { api, type Destination } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { navigate } from '../navigation.ts';
import { errorText, formatRelative, formatTime } from './format.ts';
import { JobDialog } from './JobDialog.tsx';
import { RunStatusBadge } from './RunStatusBadge.tsx';
import type { Job, Profile, Run, Source } from './types.ts';
import { usePolling } from './use-polling.ts';

interface Data {
  jobs: Job[];
  sources: Source[];
  destinations: Destination[];
  profiles: Profile[];
}

/** Backup jobs with their schedule, last result and next run; run now, edit, delete. */
export function JobsPage() {
  const toast = useToast();
  const [data, setData] = useState<Data | undefined>();
  const [dialog, setDialog] = useState<{ job: Job | undefined } | undefined>();

  const load = useCallback(async () => {
    try {
      const [jobs, sources, destinations, profiles] = await Promise.all([
        api<Job[]>('GET', '/api/jobs'),
        api<Source[]>('GET', '/api/sources'),
        api<Destination[]>('GET', '/api/destinations'),
        api<Profile[]>('GET', '/api/profiles'),
      ]);
      setData({ jobs, sources, destinations, profiles });
    } catch (error) {
      toast('error', errorText(error));
    }
  }, [toast]);
  usePolling(load, 10_000, [load]);

  const runNow = async (job: Job) => {
    try {
      const run = await api<Run>('POST', `/api/jobs/${encodeURIComponent(job.id)}/run`);
      navigate(`/runs/${encodeURIComponent(run.id)}`);
    } catch (error) {
      toast('error', errorText(error));
    }
  };

  const remove = async (job: Job) => {
    if (!window.confirm(`Delete the job "${job.name}" and its run history? Backups already stored stay where they are.`)) return;
    try {
      await api('DELETE', `/api/jobs/${encodeURIComponent(job.id)}`);
      toast('success', `Job "${job.name}" deleted.`);
      await load();
    } catch (error) {
      toast('error', errorText(error));
    }
  };

  const nameOf = <T extends { id: string; name: string }>(list: T[] | undefined, id: string | undefined) => list?.find((item) => item.id === id)?.name ?? '—';
  const missing = data && (data.sources.length === 0 || data.destinations.length === 0);

  return (
    <section>
      <div className="page-header">
        <h1>Jobs</h1>
        <button type="button" onClick={() => setDialog({ job: undefined })} disabled={!data}>New job</button>
      </div>
      {missing && (
        <div className="notice" role="note">
          A job needs a source and a destination. {data.sources.length === 0 && <a href="/sources" onClick={(e) => { e.preventDefault(); navigate('/sources'); }}>Add a source</a>}
          {data.sources.length === 0 && data.destinations.length === 0 && ' and '}
          {data.destinations.length === 0 && <a href="/destinations" onClick={(e) => { e.preventDefault(); navigate('/destinations'); }}>add a destination</a>} first.
        </div>
      )}
      <table className="table">
        <thead>
          <tr><th>Job</th><th>Source</th><th>Destinations</th><th>Schedule</th><th>Last run</th><th>Next run</th><th /></tr>
        </thead>
        <tbody>
          {data?.jobs.length === 0 && <tr><td colSpan={7} className="muted">No jobs yet.</td></tr>}
          {data?.jobs.map((job) => (
            <tr key={job.id} data-job={job.name}>
              <td>
                {job.name} {!job.enabled && <span className="badge badge-muted">disabled</span>}
                <div className="muted small">folder <code>{job.folderName}</code> · {job.compression}{job.encryptionProfileId ? ` · encrypted (${nameOf(data.profiles, job.encryptionProfileId)})` : ''}</div>
              </td>
              <td>{nameOf(data.sources, job.sourceId)}<div className="muted small">{job.database}</div></td>
              <td className="small">{job.destinationIds.map((id) => nameOf(data.destinations, id)).join(', ')}</td>
              <td className="small">{job.schedule ? <><code>{job.schedule.cron}</code><div className="muted">{job.schedule.timezone}</div></> : <span className="muted">manual</span>}</td>
              <td>
                <RunStatusBadge status={job.lastRun?.status} />
                {job.lastRun && <div className="muted small" title={formatTime(job.lastRun.endedAt ?? job.lastRun.queuedAt)}>{formatRelative(job.lastRun.endedAt ?? job.lastRun.queuedAt)}</div>}
              </td>
              <td className="small" title={formatTime(job.nextRunAt)}>{job.nextRunAt ? formatRelative(job.nextRunAt) : <span className="muted">—</span>}</td>
              <td className="actions">
                <button type="button" className="small" onClick={() => void runNow(job)}>Run now</button>
                <button type="button" className="secondary small" onClick={() => navigate(`/runs?jobId=${encodeURIComponent(job.id)}`)}>History</button>
                <button type="button" className="secondary small" onClick={() => setDialog({ job })}>Edit</button>
                <button type="button" className="danger small" onClick={() => void remove(job)}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dialog && data && (
        <JobDialog
          key={dialog.job?.id ?? 'new'}
          initial={dialog.job}
          choices={data}
          onClose={() => setDialog(undefined)}
          onSaved={(job) => {
            toast('success', `Job "${job.name}" saved.`);
            setDialog(undefined);
            void load();
          }}
        />
      )}
    </section>
  );
}
