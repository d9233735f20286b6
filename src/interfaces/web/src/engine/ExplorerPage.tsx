import { useCallback, useEffect, useState } from 'react';
import { api, type Destination } from '../api.ts';
import { BackupRow } from './BackupRow.tsx';
import { errorText } from './format.ts';
import { RestoreDialog } from './RestoreDialog.tsx';
import type { ExplorerBackup, ExplorerListing, Job } from './types.ts';

/** The storage explorer: per destination, job folders and their complete backups. */
export function ExplorerPage() {
  const [destinations, setDestinations] = useState<Destination[] | undefined>();
  const [selected, setSelected] = useState('');
  const [listing, setListing] = useState<ExplorerListing | { error: string } | undefined>();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [restoring, setRestoring] = useState<{ backup: ExplorerBackup; sourceId: string | undefined } | undefined>();

  useEffect(() => {
    void Promise.all([api<Destination[]>('GET', '/api/destinations'), api<Job[]>('GET', '/api/jobs')]).then(([list, jobList]) => {
      setDestinations(list);
      setJobs(jobList);
      setSelected((current) => current || list[0]?.id || '');
    }, (error: unknown) => setListing({ error: errorText(error) }));
  }, []);

  const load = useCallback(async () => {
    if (!selected) return;
    try {
      setListing(await api<ExplorerListing>('GET', `/api/destinations/${encodeURIComponent(selected)}/backups`));
    } catch (error) {
      setListing({ error: errorText(error) });
    }
  }, [selected]);
  useEffect(() => {
    setListing(undefined);
    void load();
  }, [load]);

  return (
    <section>
      <div className="page-header">
        <h1>Storage</h1>
        <button type="button" className="secondary" onClick={() => void load()} disabled={!selected}>Refresh</button>
      </div>
      {destinations?.length === 0 && <p className="muted">No destinations yet.</p>}
      <div className="destination-tabs" role="group" aria-label="Destinations">
        {destinations?.map((destination) => (
          <button key={destination.id} type="button" className="secondary" aria-pressed={destination.id === selected} onClick={() => setSelected(destination.id)}>
            {destination.name}
          </button>
        ))}
      </div>
      {!listing && selected && <p className="muted">Listing backups…</p>}
      {listing && 'error' in listing && <div className="notice notice-error" role="alert">{listing.error}</div>}
      {listing && 'folders' in listing && (
        <div className="card-list">
          {listing.folders.length === 0 && <div className="panel empty">No backups on {listing.destinationName} yet.</div>}
          {listing.folders.map((folder) => (
            <div key={folder.name} className="panel" data-folder={folder.name}>
              <div className="folder-title">
                <h2>{folder.name}/</h2>
                <span className="muted small">
                  {folder.jobName ? `job "${folder.jobName}"` : 'no job writes here'} · {folder.backups.length} backup{folder.backups.length === 1 ? '' : 's'}
                  {folder.incomplete > 0 && ` · ${folder.incomplete} incomplete file${folder.incomplete === 1 ? '' : 's'} (no sidecar) not listed`}
                </span>
              </div>
              {folder.backups.length > 0 && (
                <table className="table">
                  <thead><tr><th>Taken</th><th>Size</th><th>State</th><th /></tr></thead>
                  <tbody>
                    {folder.backups.map((backup) => (
                      <BackupRow
                        key={backup.key}
                        destinationId={listing.destinationId}
                        backup={backup}
                        onChanged={() => void load()}
                        onRestore={() => setRestoring({ backup, sourceId: jobs.find((job) => job.id === folder.jobId)?.sourceId })}
                      />
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
        </div>
      )}
      {restoring && listing && 'folders' in listing && (
        <RestoreDialog destinationId={listing.destinationId} backup={restoring.backup} defaultSourceId={restoring.sourceId} onClose={() => setRestoring(undefined)} />
      )}
    </section>
  );
}
