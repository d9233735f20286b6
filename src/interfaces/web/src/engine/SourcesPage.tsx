import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { errorText } from './format.ts';
import { SOURCE_TYPE_LABEL, SourceDialog } from './SourceDialog.tsx';
import type { ServerInfo, Source } from './types.ts';

type TestState = { busy: true } | { ok: boolean; text: string };

/** Database sources: where they are, a connection test per row, and which jobs use them. */
export function SourcesPage() {
  const toast = useToast();
  const [sources, setSources] = useState<Source[] | undefined>();
  const [dialog, setDialog] = useState<{ source: Source | undefined } | undefined>();
  const [tests, setTests] = useState<Record<string, TestState>>({});

  const load = useCallback(async () => {
    try {
      setSources(await api<Source[]>('GET', '/api/sources'));
    } catch (error) {
      toast('error', errorText(error));
    }
  }, [toast]);
  useEffect(() => void load(), [load]);

  const test = async (source: Source) => {
    setTests((all) => ({ ...all, [source.id]: { busy: true } }));
    try {
      const info = await api<ServerInfo>('POST', `/api/sources/${encodeURIComponent(source.id)}/test`);
      setTests((all) => ({ ...all, [source.id]: { ok: true, text: `${SOURCE_TYPE_LABEL[info.engine]} ${info.serverVersion}` } }));
    } catch (error) {
      setTests((all) => ({ ...all, [source.id]: { ok: false, text: errorText(error) } }));
    }
  };

  const remove = async (source: Source) => {
    if (!window.confirm(`Delete the source "${source.name}"? Its backups stay where they are.`)) return;
    try {
      await api('DELETE', `/api/sources/${encodeURIComponent(source.id)}`);
      toast('success', `Source "${source.name}" deleted.`);
      await load();
    } catch (error) {
      toast('error', errorText(error));
    }
  };

  return (
    <section>
      <div className="page-header">
        <h1>Sources</h1>
        <button type="button" onClick={() => setDialog({ source: undefined })}>Add source</button>
      </div>
      <table className="table">
        <thead>
          <tr><th>Name</th><th>Type</th><th>Where</th><th>Password</th><th>Used by</th><th>Connection</th><th /></tr>
        </thead>
        <tbody>
          {sources?.length === 0 && (
            <tr><td colSpan={7} className="muted">No sources yet. Add the database server or SQLite file you want to back up.</td></tr>
          )}
          {sources?.map((source) => {
            const state = tests[source.id];
            return (
              <tr key={source.id} data-source={source.name}>
                <td>{source.name}</td>
                <td>{SOURCE_TYPE_LABEL[source.type]}</td>
                <td>
                  <code>{source.type === 'sqlite' ? source.sqlitePath : `${source.username ?? ''}@${source.host ?? ''}${source.port ? `:${source.port}` : ''}`}</code>
                  {source.tlsMode && source.tlsMode !== 'prefer' && <> <span className="badge badge-muted" data-testid="source-tls">TLS {source.tlsMode}</span></>}
                </td>
                <td>{source.type === 'sqlite' ? '—' : source.passwordSet ? <span className="badge badge-muted">set</span> : 'none'}</td>
                <td>{source.usedBy.length === 0 ? <span className="muted">no job</span> : source.usedBy.map((job) => job.name).join(', ')}</td>
                <td className="small" data-testid="source-connection">
                  {state && 'busy' in state ? 'Testing…' : state ? <span className={state.ok ? 'badge badge-green' : 'error-text'}>{state.text}</span> : null}
                </td>
                <td className="actions">
                  <button type="button" className="secondary small" onClick={() => void test(source)}>Test</button>
                  <button type="button" className="secondary small" onClick={() => setDialog({ source })}>Edit</button>
                  <button type="button" className="danger small" onClick={() => void remove(source)}>Delete</button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {dialog && (
        <SourceDialog
          key={dialog.source?.id ?? 'new'}
          initial={dialog.source}
          onClose={() => setDialog(undefined)}
          onSaved={() => {
            toast('success', 'Source saved.');
            setDialog(undefined);
            void load();
          }}
        />
      )}
    </section>
  );
}
