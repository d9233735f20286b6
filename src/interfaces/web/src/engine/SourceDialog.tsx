import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { Field } from '../components/Field.tsx';
import { errorText } from './format.ts';
import { Modal } from './Modal.tsx';
import type { ServerInfo, Source, SourceType, TlsMode } from './types.ts';

const TYPES: { value: SourceType; label: string; port: number | undefined }[] = [
  { value: 'postgres', label: 'PostgreSQL', port: 5432 },
  { value: 'mysql', label: 'MySQL', port: 3306 },
  { value: 'mariadb', label: 'MariaDB', port: 3306 },
  { value: 'sqlite', label: 'SQLite file', port: undefined },
];

const TLS_MODES: { value: TlsMode; label: string; hint: string }[] = [
  { value: 'disable', label: 'Disable', hint: 'Never use TLS: data and login travel in plain text.' },
  { value: 'prefer', label: 'Prefer (default)', hint: 'TLS when the server offers it, plain text otherwise; the certificate is not checked.' },
  { value: 'require', label: 'Require', hint: 'Always TLS; the certificate is not checked.' },
  { value: 'verify-ca', label: 'Verify CA', hint: 'Always TLS, with a certificate signed by a trusted CA.' },
  { value: 'verify-full', label: 'Verify full', hint: 'Always TLS, with a certificate signed by a trusted CA and issued for the host above.' },
];

const verifiesCertificate = (mode: TlsMode) => mode === 'verify-ca' || mode === 'verify-full';

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
    tlsMode: initial?.tlsMode ?? ('prefer' as TlsMode),
    caCertificate: initial?.caCertificate ?? '',
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
  const showCa = !isFile && verifiesCertificate(form.tlsMode);
  // The CA field stays filled while hidden (switching back keeps it), but only the verify modes send it.
  const payload = { ...form, caCertificate: showCa ? form.caCertificate : '' };

  const fail = (error: unknown) => {
    if (error instanceof ApiError && Object.keys(error.fields).length > 0) setErrors(error.fields);
    else setErrors({ form: errorText(error) });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('saving');
    setErrors({});
    try {
      if (initial) await api('PUT', `/api/sources/${encodeURIComponent(initial.id)}`, payload);
      else await api('POST', '/api/sources', payload);
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
      const info = await api<ServerInfo>('POST', '/api/sources/test', { ...payload, id: initial?.id });
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
            <Field label="TLS" htmlFor="source-tls" error={errors.tlsMode} hint={TLS_MODES.find((mode) => mode.value === form.tlsMode)?.hint}>
              <select id="source-tls" value={form.tlsMode} onChange={set('tlsMode')}>
                {TLS_MODES.map((mode) => <option key={mode.value} value={mode.value}>{mode.label}</option>)}
              </select>
            </Field>
            {showCa && (
              <Field
                label="CA certificate"
                htmlFor="source-ca"
                error={errors.caCertificate}
                hint="Your provider's CA certificate in PEM format (-----BEGIN CERTIFICATE----- …), or its CA bundle. Leave empty to trust the well-known public CAs."
              >
                <textarea id="source-ca" className="pem" rows={6} value={form.caCertificate} onChange={set('caCertificate')} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" />
              </Field>
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
