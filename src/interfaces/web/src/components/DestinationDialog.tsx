import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { validateDestination } from '../../../http/destination-validation.ts';
import { api, ApiError, fetchDestinationStatus, type ConnectionReport, type Destination, type DestinationStatus, type DestinationType } from '../api.ts';
import { startDropboxAuthorization } from '../authorize.ts';
import { onOAuthResult } from '../oauth-result.ts';
import { CopyButton } from './CopyButton.tsx';
import { Field } from './Field.tsx';
import { FolderBrowser } from './FolderBrowser.tsx';
import { formatUsage, StatusBadge } from './StatusBadge.tsx';
import { useToast } from './Toasts.tsx';

interface Props {
  initial: Destination | undefined;
  type: DestinationType;
  redirectUri: string;
  onClose: () => void;
  onSaved: (destination: Destination) => void;
}

/** Add/edit dialog of one destination: Configuration (fields, Browse) and Connection (authorize, test). */
export function DestinationDialog({ initial, type, redirectUri, onClose, onSaved }: Props) {
  const toast = useToast();
  const [destination, setDestination] = useState(initial);
  const [tab, setTab] = useState<'configuration' | 'connection'>('configuration');
  const [name, setName] = useState(initial?.name ?? '');
  const [appKey, setAppKey] = useState('');
  const [appSecret, setAppSecret] = useState('');
  const [folderPath, setFolderPath] = useState(initial?.config.folderPath ?? '');
  const [localPath, setLocalPath] = useState(initial?.config.path ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<DestinationStatus | undefined>();
  const [browsing, setBrowsing] = useState(false);
  const [testing, setTesting] = useState(false);
  const [report, setReport] = useState<{ ok: true; report: ConnectionReport } | { ok: false; message: string } | undefined>();
  const id = destination?.id;

  const refreshStatus = useCallback(async () => {
    if (!id) return;
    setStatus(undefined);
    setStatus(await fetchDestinationStatus(id));
  }, [id]);

  useEffect(() => {
    void refreshStatus();
  }, [refreshStatus]);
  useEffect(() => onOAuthResult(() => void refreshStatus()), [refreshStatus]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const input = {
      type,
      name,
      config: (type === 'dropbox' ? { folderPath } : { path: localPath }) as Record<string, string>,
      secrets: (type === 'dropbox' ? { appKey, appSecret } : {}) as Record<string, string>,
    };
    const found = validateDestination(input, destination?.secrets);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    try {
      const saved = destination
        ? await api<Destination>('PUT', `/api/destinations/${encodeURIComponent(destination.id)}`, input)
        : await api<Destination>('POST', '/api/destinations', input);
      setDestination(saved);
      setAppKey('');
      setAppSecret('');
      onSaved(saved);
      toast('success', `Destination "${saved.name}" saved.`);
      if (saved.id === destination?.id) void refreshStatus();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
      else setErrors({ form: error instanceof Error ? error.message : String(error) });
    } finally {
      setSaving(false);
    }
  };

  const authorize = async () => {
    if (!id) return;
    try {
      await startDropboxAuthorization(id);
    } catch (error) {
      toast('error', error instanceof Error ? error.message : String(error));
    }
  };

  const test = async () => {
    if (!id) return;
    setTesting(true);
    setReport(undefined);
    try {
      setReport({ ok: true, report: await api<ConnectionReport>('POST', `/api/destinations/${encodeURIComponent(id)}/test`) });
    } catch (error) {
      setReport({ ok: false, message: error instanceof Error ? error.message : String(error) });
    } finally {
      setTesting(false);
    }
  };

  const authorized = status?.state === 'authorized';
  const secretHint = (field: string) => (destination?.secrets[field] ? <span><span className="badge badge-muted">set</span> Leave blank to keep the stored value.</span> : undefined);

  return (
    <div className="modal-backdrop">
      <div className="modal wide" role="dialog" aria-modal="true" aria-label={destination ? `Edit ${destination.name}` : 'Add destination'}>
        <header className="modal-header">
          <h2>{destination ? `Edit ${destination.name}` : type === 'dropbox' ? 'Add Dropbox destination' : 'Add local destination'}</h2>
          {destination && (
            <div className="dialog-status">
              <StatusBadge status={status} />
              {type === 'dropbox' && status && status.state !== 'ready' && (
                <button type="button" className={status.hasToken ? 'secondary' : undefined} onClick={() => void authorize()}>
                  {status.hasToken ? 'Re-authorize' : 'Authorize with Dropbox'}
                </button>
              )}
            </div>
          )}
        </header>
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'configuration'} onClick={() => setTab('configuration')}>
            Configuration
          </button>
          <button type="button" role="tab" aria-selected={tab === 'connection'} onClick={() => setTab('connection')} disabled={!destination}>
            Connection
          </button>
        </div>
        {tab === 'configuration' && (
          <form onSubmit={save} noValidate>
            <Field label="Name" htmlFor="dest-name" error={errors.name}>
              <input id="dest-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Dropbox backups" />
            </Field>
            {type === 'dropbox' ? (
              <>
                <Field label="App Key" htmlFor="dest-app-key" error={errors.appKey} hint={secretHint('appKey')}>
                  <input id="dest-app-key" value={appKey} autoComplete="off" onChange={(e) => setAppKey(e.target.value)} placeholder={destination?.secrets.appKey ? 'set' : 'From the App Console, Settings tab'} />
                </Field>
                <Field label="App Secret" htmlFor="dest-app-secret" error={errors.appSecret} hint={secretHint('appSecret')}>
                  <input id="dest-app-secret" type="password" value={appSecret} autoComplete="new-password" onChange={(e) => setAppSecret(e.target.value)} placeholder={destination?.secrets.appSecret ? 'set' : 'From the App Console, Settings tab'} />
                </Field>
                <Field label="Folder Path" htmlFor="dest-folder" error={errors.folderPath} hint="Leave empty to use the root of your Dropbox (or the app folder).">
                  <div className="input-with-button">
                    <input id="dest-folder" value={folderPath} onChange={(e) => setFolderPath(e.target.value)} placeholder="/backups" />
                    <button type="button" className="secondary" disabled={!authorized} title={authorized ? 'Pick a folder in Dropbox' : 'Authorize with Dropbox first'} onClick={() => setBrowsing(true)}>
                      Browse
                    </button>
                  </div>
                </Field>
                <div className="callback-box">
                  <div className="small">Redirect URI to register in the Dropbox App Console (Settings → OAuth 2 → Redirect URIs):</div>
                  <div className="copy-row">
                    <code data-testid="redirect-uri">{redirectUri}</code>
                    <CopyButton text={redirectUri} />
                  </div>
                  {redirectUri && new URL(redirectUri).origin !== window.location.origin && (
                    <div className="small error-text" role="note">
                      You opened DBackup at {window.location.origin}, but PUBLIC_URL is {new URL(redirectUri).origin}. Dropbox sends you back to PUBLIC_URL, where you must be signed in: open DBackup at that address, or set PUBLIC_URL.
                    </div>
                  )}
                </div>
              </>
            ) : (
              <Field label="Path" htmlFor="dest-path" error={errors.path} hint="Absolute folder on the DBackup server, e.g. /var/backups/dbackup.">
                <input id="dest-path" value={localPath} onChange={(e) => setLocalPath(e.target.value)} placeholder="/var/backups/dbackup" />
              </Field>
            )}
            {errors.form && <p className="error-text" role="alert">{errors.form}</p>}
            <footer className="modal-footer">
              <button type="button" className="secondary" onClick={onClose}>
                Close
              </button>
              <button type="submit" disabled={saving}>
                {saving ? 'Saving…' : 'Save'}
              </button>
            </footer>
          </form>
        )}
        {tab === 'connection' && destination && (
          <div className="connection">
            <p>Storage: {formatUsage(status)}</p>
            <button type="button" onClick={() => void test()} disabled={testing}>
              {testing ? 'Testing…' : 'Test connection'}
            </button>
            {report?.ok === true && (
              <div className="notice notice-success" role="status" data-testid="test-result">
                <strong>Connection works.</strong>
                {report.report.account && <div>Account: {report.report.account.name}{report.report.account.email ? ` (${report.report.account.email})` : ''}</div>}
                <div>Folder: {report.report.folder.path || 'root (or app folder)'}{report.report.folder.created ? ' (created)' : ''}</div>
                <div>Write and delete test file: ok</div>
              </div>
            )}
            {report?.ok === false && (
              <div className="notice notice-error" role="alert" data-testid="test-result">
                {report.message}
              </div>
            )}
            <footer className="modal-footer">
              <button type="button" className="secondary" onClick={onClose}>
                Close
              </button>
            </footer>
          </div>
        )}
      </div>
      {browsing && destination && (
        <FolderBrowser
          destinationId={destination.id}
          initialPath={errors.folderPath ? '' : folderPath}
          onClose={() => setBrowsing(false)}
          onSelect={(path) => {
            setFolderPath(path);
            setBrowsing(false);
          }}
        />
      )}
    </div>
  );
}
