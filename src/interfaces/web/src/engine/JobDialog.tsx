import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type Destination } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { browserTimeZone, errorText } from './format.ts';
import { Modal } from './Modal.tsx';
import { RetentionFields, retentionInput, retentionValue, type RetentionValue } from './RetentionFields.tsx';
import { SchedulePicker, type ScheduleValue } from './SchedulePicker.tsx';
import type { Compression, Job, Profile, Source } from './types.ts';

interface Choices {
  sources: Source[];
  destinations: Destination[];
  profiles: Profile[];
}

/** Create or edit a job: what (source, database), where (destinations), when (schedule), how (compression, encryption, retention). */
export function JobDialog({ initial, choices, onClose, onSaved }: { initial: Job | undefined; choices: Choices; onClose: () => void; onSaved: (job: Job) => void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [sourceId, setSourceId] = useState(initial?.sourceId ?? choices.sources[0]?.id ?? '');
  const [database, setDatabase] = useState(initial?.database ?? '');
  const [databases, setDatabases] = useState<{ list: string[] } | { error: string } | undefined>();
  const [destinationIds, setDestinationIds] = useState<string[]>(initial?.destinationIds ?? []);
  const [schedule, setSchedule] = useState<ScheduleValue>({ enabled: Boolean(initial?.schedule), cron: initial?.schedule?.cron ?? '0 2 * * *', timezone: initial?.schedule?.timezone ?? browserTimeZone() });
  const [compression, setCompression] = useState<Compression>(initial?.compression ?? 'gzip');
  const [profileId, setProfileId] = useState(initial?.encryptionProfileId ?? '');
  const [retention, setRetention] = useState<RetentionValue>(retentionValue(initial?.retention ?? {}));
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const source = choices.sources.find((candidate) => candidate.id === sourceId);
  /** Wraps a setter so editing a field hides its (now possibly outdated) error. */
  const edit = <T,>(setter: (value: T) => void, ...fields: string[]) => (value: T) => {
    setter(value);
    setErrors((all) => (fields.some((field) => field in all) ? Object.fromEntries(Object.entries(all).filter(([field]) => !fields.includes(field))) : all));
  };

  useEffect(() => {
    setDatabases(undefined);
    if (!sourceId) return;
    let current = true;
    api<string[]>('GET', `/api/sources/${encodeURIComponent(sourceId)}/databases`).then(
      (list) => {
        if (!current) return;
        setDatabases({ list });
        setDatabase((chosen) => (chosen && list.includes(chosen) ? chosen : list.length === 1 ? list[0]! : chosen));
      },
      (error: unknown) => current && setDatabases({ error: errorText(error) }),
    );
    return () => {
      current = false;
    };
  }, [sourceId]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    const body = {
      name, sourceId, database, destinationIds, compression, enabled,
      encryptionProfileId: profileId || null,
      schedule: schedule.enabled ? { cron: schedule.cron, timezone: schedule.timezone } : null,
      retention: retentionInput(retention),
    };
    try {
      const saved = initial ? await api<Job>('PUT', `/api/jobs/${encodeURIComponent(initial.id)}`, body) : await api<Job>('POST', '/api/jobs', body);
      onSaved(saved);
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
      else setErrors({ form: errorText(error) });
    } finally {
      setSaving(false);
    }
  };

  const toggleDestination = (id: string, on: boolean) => edit(setDestinationIds, 'destinationIds')(on ? [...destinationIds, id] : destinationIds.filter((other) => other !== id));

  return (
    <Modal title={initial ? `Edit ${initial.name}` : 'New backup job'} wide onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field label="Name" htmlFor="job-name" error={errors.name} hint={initial ? `Backups go to the folder "${initial.folderName}" (kept when the job is renamed).` : 'The folder for its backups is named after the job.'}>
          <input id="job-name" value={name} onChange={(event) => edit(setName, 'name')(event.target.value)} placeholder="e.g. Shop nightly" />
        </Field>
        <div className="row">
          <Field label="Source" htmlFor="job-source" error={errors.sourceId}>
            <select id="job-source" value={sourceId} onChange={(event) => edit(setSourceId, 'sourceId', 'database')(event.target.value)}>
              {choices.sources.length === 0 && <option value="">Add a source first</option>}
              {choices.sources.map((option) => <option key={option.id} value={option.id}>{option.name}</option>)}
            </select>
          </Field>
          <Field label="Database" htmlFor="job-database" error={errors.database ?? (databases && 'error' in databases ? databases.error : undefined)} hint={source?.type === 'sqlite' ? 'A SQLite file holds one database.' : undefined}>
            <input id="job-database" list="job-databases" value={database} onChange={(event) => edit(setDatabase, 'database')(event.target.value)} placeholder={databases && 'list' in databases ? 'Choose or type' : 'Loading…'} />
            <datalist id="job-databases">{databases && 'list' in databases && databases.list.map((name) => <option key={name} value={name} />)}</datalist>
          </Field>
        </div>
        <Field label="Destinations" htmlFor="job-destinations" error={errors.destinationIds}>
          <div className="check-list" id="job-destinations" role="group" aria-label="Destinations">
            {choices.destinations.length === 0 && <span className="muted small">Add a destination first.</span>}
            {choices.destinations.map((destination) => (
              <label key={destination.id} className="check">
                <input type="checkbox" checked={destinationIds.includes(destination.id)} onChange={(event) => toggleDestination(destination.id, event.target.checked)} />
                {destination.name} <span className="muted small">({destination.type === 'dropbox' ? 'Dropbox' : 'local'})</span>
              </label>
            ))}
          </div>
        </Field>
        <div className="section-label">Schedule</div>
        <SchedulePicker value={schedule} onChange={edit(setSchedule, 'cron', 'timezone')} errors={errors} />
        <div className="row">
          <Field label="Compression" htmlFor="job-compression" error={errors.compression}>
            <select id="job-compression" value={compression} onChange={(event) => setCompression(event.target.value as Compression)}>
              <option value="gzip">gzip (.gz, default)</option>
              <option value="zstd">zstd (.zst, faster)</option>
              <option value="none">none</option>
            </select>
          </Field>
          <Field label="Encryption" htmlFor="job-profile" error={errors.encryptionProfileId}>
            <select id="job-profile" value={profileId} onChange={(event) => setProfileId(event.target.value)}>
              <option value="">None</option>
              {choices.profiles.map((profile) => <option key={profile.id} value={profile.id}>{profile.name}</option>)}
            </select>
          </Field>
        </div>
        <div className="section-label">Retention</div>
        <RetentionFields value={retention} onChange={edit(setRetention, 'retention', 'retention.keepLast', 'retention.daily', 'retention.weekly', 'retention.monthly', 'retention.yearly')} errors={errors} />
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} /> Enabled (scheduled runs happen)
        </label>
        {errors.form && <p className="error-text" role="alert">{errors.form}</p>}
        <footer className="modal-footer">
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={saving}>{saving ? 'Saving…' : 'Save job'}</button>
        </footer>
      </form>
    </Modal>
  );
}
