import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, type ApiToken } from '../api.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { useToast } from '../components/Toasts.tsx';

/** API tokens for scripts and the CLI: created here, shown exactly once, revocable. */
export function TokensPage() {
  const toast = useToast();
  const [tokens, setTokens] = useState<ApiToken[]>([]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>();

  const load = useCallback(async () => {
    try {
      setTokens(await api<ApiToken[]>('GET', '/api/tokens'));
    } catch (error) {
      toast('error', error instanceof Error ? error.message : String(error));
    }
  }, [toast]);

  useEffect(() => {
    void load();
  }, [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const result = await api<{ token: string; name: string }>('POST', '/api/tokens', { name });
      setCreated(result);
      setName('');
      await load();
    } catch (error) {
      toast('error', error instanceof Error ? error.message : String(error));
    }
  };

  const revoke = async (token: ApiToken) => {
    if (!window.confirm(`Revoke the token "${token.name}"? Scripts using it stop working.`)) return;
    await api('DELETE', `/api/tokens/${encodeURIComponent(token.id)}`);
    toast('success', `Token "${token.name}" revoked.`);
    await load();
  };

  return (
    <section>
      <h1>API tokens</h1>
      <p className="muted">Use a token with <code>Authorization: Bearer &lt;token&gt;</code> for the REST API (described at <a href="/api/openapi.json">/api/openapi.json</a>) and the CLI.</p>
      <form className="inline-form" onSubmit={create}>
        <input aria-label="Token name" placeholder="Token name, e.g. nightly-script" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Create token</button>
      </form>
      {created && (
        <div className="notice" role="status">
          <strong>Copy the token "{created.name}" now — it is shown only once:</strong>
          <div className="copy-row">
            <code className="token-value">{created.token}</code>
            <CopyButton text={created.token} />
          </div>
        </div>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tokens.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">No API tokens yet.</td>
            </tr>
          )}
          {tokens.map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td>
              <td>{new Date(token.createdAt).toLocaleString()}</td>
              <td>{token.lastUsedAt ? new Date(token.lastUsedAt).toLocaleString() : 'never'}</td>
              <td>
                <div className="actions">
                  <button type="button" className="danger" onClick={() => void revoke(token)}>
                    Revoke
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
