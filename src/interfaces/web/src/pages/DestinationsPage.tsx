import { useCallback, useEffect, useState } from 'react';
import { api, fetchDestinationStatus, type Destination, type DestinationStatus, type DestinationType } from '../api.ts';
import { startDropboxAuthorization } from '../authorize.ts';
import { DestinationDialog } from '../components/DestinationDialog.tsx';
import { formatUsage, StatusBadge } from '../components/StatusBadge.tsx';
import { useToast } from '../components/Toasts.tsx';
import { onOAuthResult } from '../oauth-result.ts';

type DialogState = { destination: Destination | undefined; type: DestinationType } | undefined;

/** Lists destinations with their live status; opens the adapter dialog to add or edit. */
export function DestinationsPage() {
  const toast = useToast();
  const [destinations, setDestinations] = useState<Destination[] | undefined>();
  const [statuses, setStatuses] = useState<Record<string, DestinationStatus>>({});
  const [redirectUri, setRedirectUri] = useState('');
  const [dialog, setDialog] = useState<DialogState>();

  const loadStatus = useCallback(async (destination: Destination) => {
    setStatuses((all) => {
      const next = { ...all };
      delete next[destination.id];
      return next;
    });
    const status = await fetchDestinationStatus(destination.id);
    setStatuses((all) => ({ ...all, [destination.id]: status }));
  }, []);

  const load = useCallback(async () => {
    try {
      const list = await api<Destination[]>('GET', '/api/destinations');
      setDestinations(list);
      for (const destination of list) void loadStatus(destination);
    } catch (error) {
      toast('error', error instanceof Error ? error.message : String(error));
    }
  }, [loadStatus, toast]);

  useEffect(() => {
    void load();
    void api<{ redirectUri: string }>('GET', '/api/adapters/dropbox').then((info) => setRedirectUri(info.redirectUri));
  }, [load]);

  useEffect(
    () =>
      onOAuthResult((result) => {
        toast(result.ok ? 'success' : 'error', result.message);
        void load();
      }),
    [load, toast],
  );

  const remove = async (destination: Destination) => {
    if (!window.confirm(`Delete the destination "${destination.name}"? Backups already stored there are not deleted.`)) return;
    try {
      await api('DELETE', `/api/destinations/${encodeURIComponent(destination.id)}`);
      toast('success', `Destination "${destination.name}" deleted.`);
      await load();
    } catch (error) {
      toast('error', error instanceof Error ? error.message : String(error));
    }
  };

  const authorize = async (destination: Destination) => {
    try {
      await startDropboxAuthorization(destination.id);
    } catch (error) {
      toast('error', error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <section>
      <div className="page-header">
        <h1>Destinations</h1>
        <div className="actions">
          <button type="button" onClick={() => setDialog({ destination: undefined, type: 'dropbox' })}>
            Add Dropbox
          </button>
          <button type="button" className="secondary" onClick={() => setDialog({ destination: undefined, type: 'local' })}>
            Add local folder
          </button>
        </div>
      </div>
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Folder</th>
            <th>Status</th>
            <th>Storage used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {destinations?.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">No destinations yet. Add Dropbox or a local folder to store backups.</td>
            </tr>
          )}
          {destinations?.map((destination) => {
            const status = statuses[destination.id];
            const folder = destination.type === 'dropbox' ? destination.config.folderPath || '/ (root or app folder)' : destination.config.path;
            return (
              <tr key={destination.id} data-destination={destination.name}>
                <td>{destination.name}</td>
                <td>{destination.type === 'dropbox' ? 'Dropbox' : 'Local'}</td>
                <td><code>{folder}</code></td>
                <td><StatusBadge status={status} /></td>
                <td>{formatUsage(status)}</td>
                <td>
                  <div className="actions">
                  {destination.type === 'dropbox' && status && status.state !== 'ready' && (
                    <button type="button" className={status.state === 'authorized' ? 'secondary' : undefined} onClick={() => void authorize(destination)}>
                      {status.hasToken ? 'Re-authorize' : 'Authorize with Dropbox'}
                    </button>
                  )}
                  <button type="button" className="secondary" onClick={() => setDialog({ destination, type: destination.type })}>
                    Edit
                  </button>
                  <button type="button" className="danger" onClick={() => void remove(destination)}>
                    Delete
                  </button>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {dialog && (
        <DestinationDialog
          key={dialog.destination?.id ?? 'new-' + dialog.type}
          initial={dialog.destination}
          type={dialog.type}
          redirectUri={redirectUri}
          onClose={() => {
            setDialog(undefined);
            void load();
          }}
          onSaved={() => void load()}
        />
      )}
    </section>
  );
}
