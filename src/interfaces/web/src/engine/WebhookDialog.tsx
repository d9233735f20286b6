import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { errorText } from './format.ts';
import { Modal } from './Modal.tsx';
import type { NotificationEvent, Webhook } from './types.ts';

export const EVENT_CHOICES: { value: NotificationEvent; label: string }[] = [
  { value: 'run.failed', label: 'Run failed' },
  { value: 'run.partial', label: 'Run partly failed (some destinations)' },
  { value: 'run.interrupted', label: 'Run interrupted (DBackup stopped)' },
  { value: 'run.succeeded', label: 'Run succeeded' },
];

const DEFAULT_EVENTS: NotificationEvent[] = ['run.failed', 'run.partial', 'run.interrupted'];

/** Add or edit a webhook; the URL is write-only (blank keeps the stored one). */
export function WebhookDialog({ initial, onClose, onSaved }: { initial: Webhook | undefined; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<NotificationEvent[]>(initial?.events ?? DEFAULT_EVENTS);
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const toggle = (event: NotificationEvent, on: boolean) => {
    setEvents((all) => (on ? [...all, event] : all.filter((e) => e !== event)));
    setErrors(({ events: _edited, ...rest }) => rest);
  };

  const save = async (submit: FormEvent) => {
    submit.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body = { name, url, events, enabled };
      if (initial) await api('PUT', `/api/webhooks/${encodeURIComponent(initial.id)}`, body);
      else await api('POST', '/api/webhooks', body);
      onSaved();
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
      else setErrors({ form: errorText(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={initial ? `Edit ${initial.name}` : 'Add webhook'} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field label="Name" htmlFor="webhook-name" error={errors.name}>
          <input id="webhook-name" value={name} onChange={(e) => { setName(e.target.value); setErrors(({ name: _n, ...rest }) => rest); }} placeholder="e.g. Ops Slack" />
        </Field>
        <Field
          label="URL"
          htmlFor="webhook-url"
          error={errors.url}
          hint={initial ? `Stored: ${initial.urlMasked} — leave blank to keep it.` : 'An incoming-webhook URL (Slack, Discord, Mattermost…) or your own endpoint. Stored encrypted; never shown again.'}
        >
          <input id="webhook-url" value={url} onChange={(e) => { setUrl(e.target.value); setErrors(({ url: _u, ...rest }) => rest); }} placeholder={initial ? initial.urlMasked : 'https://hooks.slack.com/services/…'} autoComplete="off" spellCheck={false} />
        </Field>
        <fieldset className="plain" aria-describedby={errors.events ? 'webhook-events-error' : undefined}>
          <legend className="section-label">Notify when</legend>
          {EVENT_CHOICES.map((choice) => (
            <label key={choice.value} className="check">
              <input type="checkbox" checked={events.includes(choice.value)} onChange={(e) => toggle(choice.value, e.target.checked)} />
              {choice.label}
            </label>
          ))}
          {errors.events && <div className="field-error" role="alert" id="webhook-events-error">{errors.events}</div>}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Enabled
        </label>
        {errors.form && <p className="error-text" role="alert">{errors.form}</p>}
        <footer className="modal-footer">
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        </footer>
      </form>
    </Modal>
  );
}
