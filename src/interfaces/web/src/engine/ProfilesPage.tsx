import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { errorText, formatTime } from './format.ts';
import { KeyExportDialog } from './KeyExportDialog.tsx';
import type { Profile } from './types.ts';

/** Encryption profiles: end-to-end keys for backups. Create, rename, export, import, delete. */
export function ProfilesPage() {
  const toast = useToast();
  const [profiles, setProfiles] = useState<Profile[] | undefined>();
  const [name, setName] = useState('');
  const [formError, setFormError] = useState('');
  const [exporting, setExporting] = useState<Profile | undefined>();
  const [renaming, setRenaming] = useState<{ id: string; name: string } | undefined>();
  const [rowErrors, setRowErrors] = useState<Record<string, string>>({});
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      setProfiles(await api<Profile[]>('GET', '/api/profiles'));
    } catch (error) {
      toast('error', errorText(error));
    }
  }, [toast]);
  useEffect(() => void load(), [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setFormError('');
    try {
      const created = await api<Profile>('POST', '/api/profiles', { name });
      toast('success', `Encryption profile "${created.name}" created. Export its key and keep it safe.`);
      setName('');
      await load();
    } catch (error) {
      setFormError(errorText(error));
    }
  };

  const importKey = async (file: File | undefined) => {
    if (!file) return;
    setFormError('');
    try {
      const created = await api<Profile>('POST', '/api/profiles/import', { keyFile: await file.text() });
      toast('success', `Key imported as "${created.name}".`);
      await load();
    } catch (error) {
      setFormError(`${file.name}: ${errorText(error)}`);
    }
  };

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    if (!renaming) return;
    try {
      await api('PUT', `/api/profiles/${encodeURIComponent(renaming.id)}`, { name: renaming.name });
      setRenaming(undefined);
      await load();
    } catch (error) {
      setRowErrors((all) => ({ ...all, [renaming.id]: errorText(error) }));
    }
  };

  const remove = async (profile: Profile) => {
    if (!window.confirm(`Delete the encryption profile "${profile.name}"? Backups encrypted with it can then only be read with its exported key file.`)) return;
    setRowErrors((all) => ({ ...all, [profile.id]: '' }));
    try {
      await api('DELETE', `/api/profiles/${encodeURIComponent(profile.id)}`);
      toast('success', `Encryption profile "${profile.name}" deleted.`);
      await load();
    } catch (error) {
      setRowErrors((all) => ({ ...all, [profile.id]: errorText(error) }));
    }
  };

  return (
    <section>
      <h1>Encryption profiles</h1>
      <p className="muted">
        A profile holds a random 256-bit key. Jobs that use it encrypt every backup end to end (AES-256-GCM) before it leaves this server, so
        Dropbox never sees your data. Export each key and store it apart from the backups: without it nobody can restore them.
      </p>
      <form className="inline-form" onSubmit={create}>
        <input aria-label="Profile name" placeholder="Profile name, e.g. Offsite 2024" value={name} onChange={(event) => setName(event.target.value)} />
        <button type="submit">Create profile</button>
        <input ref={fileInput} type="file" accept=".json,application/json" aria-label="Key file to import" hidden onChange={(event) => {
          void importKey(event.target.files?.[0]);
          event.target.value = '';
        }} />
        <button type="button" className="secondary" onClick={() => fileInput.current?.click()}>Import key file…</button>
      </form>
      {formError && <p className="error-text" role="alert">{formError}</p>}
      <table className="table">
        <thead>
          <tr><th>Name</th><th>Fingerprint</th><th>Created</th><th>Used by</th><th /></tr>
        </thead>
        <tbody>
          {profiles?.length === 0 && <tr><td colSpan={5} className="muted">No encryption profiles yet.</td></tr>}
          {profiles?.map((profile) => (
            <tr key={profile.id} data-profile={profile.name}>
              <td>
                {renaming?.id === profile.id ? (
                  <form className="input-with-button" onSubmit={rename}>
                    <input aria-label="New name" value={renaming.name} onChange={(event) => setRenaming({ id: profile.id, name: event.target.value })} autoFocus />
                    <button type="submit" className="small">Save</button>
                  </form>
                ) : profile.name}
                {rowErrors[profile.id] && <div className="field-error" role="alert">{rowErrors[profile.id]}</div>}
              </td>
              <td><code>{profile.fingerprint}</code></td>
              <td>{formatTime(profile.createdAt)}</td>
              <td className="small">
                {profile.usage.jobs.length === 0 && profile.usage.backups === 0 ? <span className="muted">unused</span> : (
                  <>
                    {profile.usage.jobs.map((job) => job.name).join(', ')}
                    {profile.usage.backups > 0 && <div className="muted">{profile.usage.backups} stored backup{profile.usage.backups === 1 ? '' : 's'}</div>}
                  </>
                )}
              </td>
              <td className="actions">
                <button type="button" className="secondary small" onClick={() => setRenaming({ id: profile.id, name: profile.name })}>Rename</button>
                <button type="button" className="secondary small" onClick={() => setExporting(profile)}>Export key</button>
                <button type="button" className="danger small" onClick={() => void remove(profile)}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {exporting && <KeyExportDialog profile={exporting} onClose={() => setExporting(undefined)} />}
    </section>
  );
}
