import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { errorText } from './format.ts';
import { Modal } from './Modal.tsx';
import type { ServerInfo, Source, SourceType } from './types.ts';

const TYPES: { value: SourceType; label: string; port: number | undefined }[] = [
  { value: 'postgres', label: 'PostgreSQL', port: 5432 },
  { value: 'mysql', label: 'MySQL', port: 3306 },
  { value: 'mariadb', label: 'MariaDB', port: 3306 },
  { value: 'sqlite', label: 'SQLite file', port: undefined },
];

export const SOURCE_TYPE_LABEL = Object.fromEntries(TYPES.map((type) => [type.value, type.label])) as Record<SourceType, string>;

/** Add or edit a database source; the password is write-only (blank keeps the stored one). */
export function SourceDialog({ initial, onClose, onSaved }: { initial: Source | undefined; onClose: () => void; onSaved: () => void }) {
  const [form, setForm] = useState({
    type: initial?.type ?? ('postgres' as SourceType),
    name: initial?.name ?? '',
    host: initial?.host ?? '',
    port: initial?.port === undefined ? '' : String(initial.port),
    username: initial?.username ?? '',
    password: '',
    clearPassword: false,
    sqlitePath: initial?.sqlitePath ?? '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'saving' | 'testing' | undefined>();
  const [test, setTest] = useState<{ ok: boolean; text: string } | undefined>();
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) => {
    setForm((all) => ({ ...all, [field]: event.target.value }));
    setErrors(({ [field]: _edited, ...rest }) => rest);
  };
  const isFile = form.type === 'sqlite';
  const defaultPort = TYPES.find((type) => type.value === form.type)?.port;

  const fail = (error: unknown) => {
    if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
    else setErrors({ form: errorText(error) });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('saving');
    setErrors({});
    try {
      if (initial) await api('PUT', `/api/sources/${encodeURIComponent(initial.id)}`, form);
      else await api('POST', '/api/sources', form);
      onSaved();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(undefined);
    }
  };

  const testConnection = async () => {
    setBusy('testing');
    setErrors({});
    setTest(undefined);
    try {
      const info = await api<ServerInfo>('POST', '/api/sources/test', { ...form, id: initial?.id });
      setTest({ ok: true, text: `Connected: ${SOURCE_TYPE_LABEL[info.engine]} ${info.serverVersion}` });
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
      else setTest({ ok: false, text: errorText(error) });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Modal title={initial ? `Edit ${initial.name}` : 'Add source'} onClose={onClose}>
      <form onSubmit={save} noValidate>
        <Field label="Type" htmlFor="source-type" error={errors.type}>
          <select id="source-type" value={form.type} disabled={Boolean(initial)} onChange={set('type')}>
            {TYPES.map((type) => <option key={type.value} value={type.value}>{type.label}</option>)}
          </select>
        </Field>
        <Field label="Name" htmlFor="source-name" error={errors.name}>
          <input id="source-name" value={form.name} onChange={set('name')} placeholder="e.g. Shop database" />
        </Field>
        {isFile ? (
          <Field label="Database file" htmlFor="source-path" error={errors.sqlitePath} hint="Absolute path on the DBackup server. The file is its one database.">
            <input id="source-path" value={form.sqlitePath} onChange={set('sqlitePath')} placeholder="/var/lib/app/app.sqlite" />
          </Field>
        ) : (
          <>
            <div className="row">
              <Field label="Host" htmlFor="source-host" error={errors.host}>
                <input id="source-host" value={form.host} onChange={set('host')} placeholder="127.0.0.1" />
              </Field>
              <Field label="Port" htmlFor="source-port" error={errors.port} hint={`Default ${defaultPort}`}>
                <input id="source-port" inputMode="numeric" value={form.port} onChange={set('port')} placeholder={String(defaultPort)} />
              </Field>
            </div>
            <Field label="User name" htmlFor="source-username" error={errors.username}>
              <input id="source-username" value={form.username} onChange={set('username')} autoComplete="off" />
            </Field>
            <Field label="Password" htmlFor="source-password" error={errors.password} hint={initial?.passwordSet ? 'A password is stored. Leave blank to keep it.' : 'Stored encrypted; never shown again.'}>
              <input id="source-password" type="password" value={form.password} onChange={set('password')} autoComplete="new-password" placeholder={initial?.passwordSet ? '•••••••• (set)' : ''} disabled={form.clearPassword} />
            </Field>
            {initial?.passwordSet && (
              <label className="check">
                <input type="checkbox" checked={form.clearPassword} onChange={(event) => setForm((all) => ({ ...all, clearPassword: event.target.checked }))} />
                Remove the stored password
              </label>
            )}
          </>
        )}
        {test && (
          <div className={test.ok ? 'notice notice-success' : 'notice notice-error'} role={test.ok ? 'status' : 'alert'} data-testid="source-test-result">
            {test.text}
          </div>
        )}
        {errors.form && <p className="error-text" role="alert">{errors.form}</p>}
        <footer className="modal-footer">
          <button type="button" className="secondary" onClick={() => void testConnection()} disabled={busy !== undefined}>
            {busy === 'testing' ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
          <button type="submit" disabled={busy !== undefined}>{busy === 'saving' ? 'Saving…' : 'Save'}</button>
        </footer>
      </form>
    </Modal>
  );
}
