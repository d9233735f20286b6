import { useState } from 'react';
import { api } from '../api.ts';
import { errorText, formatBytes, formatTime } from './format.ts';
import type { ExplorerBackup, VerifyResult } from './types.ts';

const COMPRESSION: Record<string, string> = { gzip: 'gzip', zstd: 'zstd', none: 'uncompressed' };

/** One stored backup: badges, downloads (stored / decrypted), verify, restore, delete. */
export function BackupRow({ destinationId, backup, onRestore, onChanged }: { destinationId: string; backup: ExplorerBackup; onRestore: () => void; onChanged: () => void }) {
  const [verify, setVerify] = useState<{ busy: true } | VerifyResult | { error: string } | undefined>();
  const [deleteError, setDeleteError] = useState('');
  const base = `/api/destinations/${encodeURIComponent(destinationId)}/backups`;
  const download = (mode: 'stored' | 'decrypted') => `${base}/download?${new URLSearchParams({ key: backup.key, mode })}`;

  const runVerify = async () => {
    setVerify({ busy: true });
    try {
      const result = await api<VerifyResult>('POST', `${base}/verify`, { key: backup.key });
      setVerify(result);
      if (result.ok) onChanged();
    } catch (error) {
      setVerify({ error: errorText(error) });
    }
  };

  const remove = async () => {
    if (!window.confirm(`Delete ${backup.fileName} and its sidecar from this destination? This cannot be undone.`)) return;
    try {
      await api('DELETE', `${base}?${new URLSearchParams({ key: backup.key })}`);
      onChanged();
    } catch (error) {
      setDeleteError(errorText(error));
    }
  };

  return (
    <tr data-backup={backup.key}>
      <td>
        {formatTime(backup.takenAt)}
        <div className="muted small"><code>{backup.fileName}</code></div>
        {backup.problem && <div className="error-text small">{backup.problem}</div>}
      </td>
      <td>{formatBytes(backup.storedSize)}{backup.originalSize !== undefined && <div className="muted small">dump {formatBytes(backup.originalSize)}</div>}</td>
      <td>
        <span className="badges">
          <span className="badge badge-muted">{COMPRESSION[backup.compression]}</span>
          {backup.encrypted ? <span className="badge badge-blue" title={`Key ${backup.keyFingerprint ?? ''}`}>encrypted{backup.profileName ? ` · ${backup.profileName}` : ' · key missing'}</span> : <span className="badge badge-amber">not encrypted</span>}
          {backup.verifiedAt ? <span className="badge badge-green" title={formatTime(backup.verifiedAt)} data-testid="verified-badge">verified</span> : <span className="badge badge-muted">not verified</span>}
        </span>
        {verify && 'busy' in verify && <div className="small muted">Verifying…</div>}
        {verify && 'ok' in verify && <div className={verify.ok ? 'small' : 'small error-text'} role={verify.ok ? 'status' : 'alert'} data-testid="verify-result">{verify.ok ? '✓ ' : '✗ '}{verify.message}</div>}
        {verify && 'error' in verify && <div className="small error-text" role="alert">{verify.error}</div>}
        {deleteError && <div className="small error-text" role="alert">{deleteError}</div>}
      </td>
      <td className="actions">
        <a className="button-link" href={download('stored')} download>Download</a>
        <a className="button-link" href={download('decrypted')} download title="Decrypted and decompressed SQL">Download .sql</a>
        <button type="button" className="secondary small" onClick={() => void runVerify()}>Verify</button>
        <button type="button" className="small" onClick={onRestore}>Restore…</button>
        <button type="button" className="danger small" onClick={() => void remove()}>Delete</button>
      </td>
    </tr>
  );
}
