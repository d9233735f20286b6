import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type FolderListing } from '../api.ts';

const EMPTY_HINT =
  'With App folder access, the browser only shows the app’s dedicated folder. With Full Dropbox access, make sure the files.metadata.read permission is enabled.';

/**
 * Dropbox folder picker: folders only; single-click selects, double-click enters; breadcrumb,
 * Home and Up navigate; Select Folder hands back the selection (or the folder being shown).
 */
export function FolderBrowser({ destinationId, initialPath, onSelect, onClose }: { destinationId: string; initialPath: string; onSelect: (path: string) => void; onClose: () => void }) {
  const [path, setPath] = useState(initialPath);
  const [listing, setListing] = useState<FolderListing | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(false);

  // Only the newest navigation may update the view: answers can arrive out of order.
  const latest = useRef(0);
  const open = useCallback(
    async (target: string) => {
      const request = ++latest.current;
      setLoading(true);
      setError('');
      setSelected(undefined);
      try {
        const result = await api<FolderListing>('GET', `/api/destinations/${encodeURIComponent(destinationId)}/folders?path=${encodeURIComponent(target)}`);
        if (request !== latest.current) return;
        setListing(result);
        setPath(result.path);
      } catch (failure) {
        if (request !== latest.current) return;
        setError(failure instanceof Error ? failure.message : String(failure));
        setPath(target);
        setListing(undefined);
      } finally {
        if (request === latest.current) setLoading(false);
      }
    },
    [destinationId],
  );

  useEffect(() => {
    void open(initialPath);
  }, [open, initialPath]);

  const segments = path === '' ? [] : path.slice(1).split('/');
  const parent = segments.length <= 1 ? '' : '/' + segments.slice(0, -1).join('/');
  const choice = selected ?? path;

  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-label="Browse Dropbox folders">
        <header className="modal-header">
          <h2>Browse Dropbox</h2>
        </header>
        <div className="browser-toolbar">
          <button type="button" className="secondary small" onClick={() => void open('')} disabled={loading}>
            Home
          </button>
          <button type="button" className="secondary small" onClick={() => void open(parent)} disabled={loading || path === ''}>
            Up
          </button>
          <nav className="breadcrumb" aria-label="Breadcrumb">
            <button type="button" className="link" onClick={() => void open('')}>
              Dropbox
            </button>
            {segments.map((segment, index) => {
              const target = '/' + segments.slice(0, index + 1).join('/');
              return (
                <span key={target}>
                  <span className="crumb-separator">/</span>
                  <button type="button" className="link" onClick={() => void open(target)} aria-current={index === segments.length - 1 ? 'location' : undefined}>
                    {segment}
                  </button>
                </span>
              );
            })}
          </nav>
        </div>
        <div className="folder-list" role="listbox" aria-label="Folders">
          {loading && <div className="muted pad">Loading…</div>}
          {!loading && error && (
            <div className="error-text pad" role="alert">
              {error}
            </div>
          )}
          {!loading && listing && listing.folders.length === 0 && (
            <div className="pad">
              <strong>No subfolders</strong>
              <p className="muted small">{EMPTY_HINT}</p>
            </div>
          )}
          {!loading &&
            listing?.folders.map((folder) => (
              <div
                key={folder.path}
                role="option"
                aria-selected={selected === folder.path}
                className={selected === folder.path ? 'folder selected' : 'folder'}
                onClick={() => setSelected(folder.path)}
                onDoubleClick={() => void open(folder.path)}
                title="Double-click to open"
              >
                <FolderIcon /> {folder.name}
              </div>
            ))}
        </div>
        <footer className="modal-footer">
          <span className="muted small selection">Selected: {choice === '' ? 'root (or app folder)' : choice}</span>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" onClick={() => onSelect(choice)} disabled={loading || Boolean(error)}>
            Select Folder
          </button>
        </footer>
      </div>
    </div>
  );
}

function FolderIcon() {
  return (
    <svg className="folder-icon" width="16" height="14" viewBox="0 0 16 14" aria-hidden="true">
      <path d="M1 2.5A1.5 1.5 0 0 1 2.5 1H6l1.5 1.5h6A1.5 1.5 0 0 1 15 4v7.5a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 1 11.5z" fill="#5c9dff" />
    </svg>
  );
}
