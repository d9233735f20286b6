import { useState } from 'react';
import { api } from '../api.ts';
import { errorText } from './format.ts';
import { Modal } from './Modal.tsx';
import type { Profile, ProfileExport } from './types.ts';

/** Shows the warning first; only after "I understand" is the key fetched and saved as a file. */
export function KeyExportDialog({ profile, onClose }: { profile: Profile; onClose: () => void }) {
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  const download = async () => {
    setError('');
    try {
      const exported = await api<ProfileExport>('POST', `/api/profiles/${encodeURIComponent(profile.id)}/export`);
      const url = URL.createObjectURL(new Blob([exported.contents], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = exported.fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      setDone(exported.fileName);
    } catch (caught) {
      setError(errorText(caught));
    }
  };

  return (
    <Modal
      title={`Export the key of "${profile.name}"`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="secondary" onClick={onClose}>{done ? 'Close' : 'Cancel'}</button>
          {!done && <button type="button" onClick={() => void download()}>I understand — download key file</button>}
        </>
      }
    >
      <div className="warning-box" role="note">
        <strong>Keep this file secret and safe.</strong> Anyone with this key file can decrypt every backup made with this profile, and
        without it nobody can — not even DBackup after its database is lost. Store it somewhere safe and separate from the backups.
      </div>
      <p className="small muted">Fingerprint <code>{profile.fingerprint}</code>. The file also works with <code>npx dbackup decrypt &lt;file&gt; --key &lt;keyfile&gt;</code>.</p>
      {done && <div className="notice notice-success" role="status">Saved as {done}.</div>}
      {error && <p className="error-text" role="alert">{error}</p>}
    </Modal>
  );
}
