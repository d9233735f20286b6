import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { navigate } from '../navigation.ts';
import { errorText } from './format.ts';
import { Modal } from './Modal.tsx';
import { RestoreLog } from './RestoreLog.tsx';
import { RestoreStageProgress } from './RestoreStageProgress.tsx';
import type { ExplorerBackup, RestoreOperation, Source } from './types.ts';
import { usePolling } from './use-polling.ts';

/** Restore a backup into a source (optionally a new database), then follow its progress and log. */
export function RestoreDialog({ destinationId, backup, defaultSourceId, onClose }: { destinationId: string; backup: ExplorerBackup; defaultSourceId: string | undefined; onClose: () => void }) {
  const [sources, setSources] = useState<Source[]>([]);
  const [sourceId, setSourceId] = useState(defaultSourceId ?? '');
  const [database, setDatabase] = useState('');
  const [createDatabase, setCreateDatabase] = useState(true);
  const [dropExisting, setDropExisting] = useState(false);
  const [skipOwnership, setSkipOwnership] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [operation, setOperation] = useState<RestoreOperation | undefined>();

  useEffect(() => {
    void api<Source[]>('GET', '/api/sources').then((list) => {
      setSources(list);
      setSourceId((chosen) => chosen || list[0]?.id || '');
    }, (error: unknown) => setErrors({ form: errorText(error) }));
  }, []);

  const running = operation?.status === 'running';
  const poll = useCallback(async () => {
    if (!operation) return;
    setOperation(await api<RestoreOperation>('GET', `/api/restores/${encodeURIComponent(operation.id)}`));
  }, [operation]);
  usePolling(poll, running ? 1000 : 0, [operation?.id, running]);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    if (dropExisting && !window.confirm('Replace the existing data in the target database? This cannot be undone.')) return;
    setErrors({});
    try {
      setOperation(await api<RestoreOperation>('POST', `/api/destinations/${encodeURIComponent(destinationId)}/backups/restore`, { key: backup.key, sourceId, database, createDatabase, dropExisting, skipOwnership: offersSkipOwnership(source?.type) && skipOwnership }));
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
      else setErrors({ form: errorText(error) });
    }
  };

  const source = sources.find((candidate) => candidate.id === sourceId);
  return (
    <Modal title={`Restore ${backup.fileName}`} wide onClose={onClose}>
      {!operation ? (
        <form onSubmit={start} noValidate>
          <p className="small muted">
            Backup of <strong>{backup.database ?? 'unknown database'}</strong> ({backup.sourceType ?? 'unknown engine'}), taken {new Date(backup.takenAt).toLocaleString()}.
            It is downloaded and checked (hash, key) before the target is touched.
          </p>
          <Field label="Restore into source" htmlFor="restore-source" error={errors.sourceId}>
            <select id="restore-source" value={sourceId} onChange={(event) => setSourceId(event.target.value)}>
              {sources.map((option) => <option key={option.id} value={option.id}>{option.name} ({option.type})</option>)}
            </select>
          </Field>
          <Field label="Database name" htmlFor="restore-database" error={errors.database} hint={source?.type === 'sqlite' ? 'A new name creates a new file beside the source file (e.g. "restored" → restored.sqlite). Empty = the source file itself.' : `Empty = "${backup.database ?? ''}". A new name restores into another database.`}>
            <input id="restore-database" value={database} onChange={(event) => setDatabase(event.target.value)} placeholder={source?.type === 'sqlite' ? source.sqlitePath?.split('/').pop() : backup.database} />
          </Field>
          <label className="check"><input type="checkbox" checked={createDatabase} onChange={(event) => setCreateDatabase(event.target.checked)} /> Create the database if it does not exist</label>
          <label className="check"><input type="checkbox" checked={dropExisting} onChange={(event) => setDropExisting(event.target.checked)} /> Replace existing data in the target</label>
          {dropExisting && <div className="warning-box" role="note">Everything in the target database will be replaced by the backup.</div>}
          {source?.type === 'postgres' && (
            <label className="check"><input type="checkbox" checked={skipOwnership} onChange={(event) => setSkipOwnership(event.target.checked)} /> Skip ownership and privileges (for a server without the original roles; objects then belong to the restoring user)</label>
          )}
          {(source?.type === 'mysql' || source?.type === 'mariadb') && (
            <label className="check"><input type="checkbox" checked={skipOwnership} onChange={(event) => setSkipOwnership(event.target.checked)} /> Skip definers (for a server without the backup's accounts; views, routines, triggers and events then run as the restoring user)</label>
          )}
          {errors.form && <p className="error-text" role="alert">{errors.form}</p>}
          <footer className="modal-footer">
            <button type="button" className="secondary" onClick={onClose}>Cancel</button>
            <button type="submit" disabled={!sourceId}>Start restore</button>
          </footer>
        </form>
      ) : (
        <RestoreProgress operation={operation} onClose={onClose} onCancel={() => void api('POST', `/api/restores/${encodeURIComponent(operation.id)}/cancel`)} />
      )}
    </Modal>
  );
}

function RestoreProgress({ operation, onClose, onCancel }: { operation: RestoreOperation; onClose: () => void; onCancel: () => void }) {
  const running = operation.status === 'running';
  const history = `/restores/${encodeURIComponent(operation.id)}`;
  return (
    <div data-testid="restore-progress">
      <p>
        Into <strong>{operation.database}</strong> on {operation.sourceName}:{' '}
        <span className={`badge ${operation.status === 'success' ? 'badge-green' : running ? 'badge-blue' : 'badge-red'}`} data-testid="restore-status">{operation.status}</span>
      </p>
      {running && <RestoreStageProgress operation={operation} />}
      {operation.error && <div className="notice notice-error" role="alert">{operation.error.message}</div>}
      <RestoreLog lines={operation.log} />
      <p className="small muted">
        Recorded in the <a href={history} onClick={(event) => { event.preventDefault(); onClose(); navigate(history); }}>restore history</a>{running ? '; it carries on if you hide this dialog.' : '.'}
      </p>
      <footer className="modal-footer">
        {running && <button type="button" className="danger" onClick={onCancel}>Cancel restore</button>}
        <button type="button" className="secondary" onClick={onClose}>{running ? 'Hide' : 'Close'}</button>
      </footer>
    </div>
  );
}

/** Engines whose restore can leave out the backup's owners: PostgreSQL (ownership, privileges) and MySQL/MariaDB (definers). */
function offersSkipOwnership(type: string | undefined): boolean {
  return type === 'postgres' || type === 'mysql' || type === 'mariadb';
}
