import { useState, type FormEvent } from 'react';
import { api, ApiError, type SessionInfo } from '../api.ts';
import { Field } from '../components/Field.tsx';

/** First run: create the administrator account (the server refuses once any user exists). */
export function SetupPage({ onDone }: { onDone: (session: SessionInfo) => void }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) return setErrors({ confirm: 'The two passwords differ.' });
    setBusy(true);
    setErrors({});
    try {
      onDone(await api<SessionInfo>('POST', '/api/setup', { username, password }));
    } catch (error) {
      if (error instanceof ApiError) setErrors({ ...error.fields, form: Object.keys(error.fields).length ? '' : error.message });
      else setErrors({ form: String(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <form className="card narrow" onSubmit={submit}>
        <h1>Welcome to DBackup</h1>
        <p>Create the administrator account to get started.</p>
        <Field label="Username" htmlFor="setup-username" error={errors.username}>
          <input id="setup-username" value={username} autoComplete="username" onChange={(e) => setUsername(e.target.value)} />
        </Field>
        <Field label="Password" htmlFor="setup-password" error={errors.password} hint="At least 10 characters.">
          <input id="setup-password" type="password" value={password} autoComplete="new-password" onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label="Confirm password" htmlFor="setup-confirm" error={errors.confirm}>
          <input id="setup-confirm" type="password" value={confirm} autoComplete="new-password" onChange={(e) => setConfirm(e.target.value)} />
        </Field>
        {errors.form && <p className="error-text" role="alert">{errors.form}</p>}
        <button type="submit" disabled={busy}>
          Create admin account
        </button>
      </form>
    </main>
  );
}
