import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useToast } from '../components/Toasts.tsx';
import { errorText } from './format.ts';
import { EVENT_CHOICES, WebhookDialog } from './WebhookDialog.tsx';
import type { Webhook, WebhookTestResult } from './types.ts';

const EVENT_SHORT: Record<string, string> = { 'run.failed': 'failed', 'run.partial': 'partial', 'run.interrupted': 'interrupted', 'run.succeeded': 'succeeded' };

/** Notification webhooks: where DBackup reports runs that did not (or did) go well. */
export function NotificationsPage() {
  const toast = useToast();
  const [webhooks, setWebhooks] = useState<Webhook[] | undefined>();
  const [dialog, setDialog] = useState<{ webhook: Webhook | undefined } | undefined>();
  const [testing, setTesting] = useState<string | undefined>();

  const load = useCallback(async () => {
    try {
      setWebhooks(await api<Webhook[]>('GET', '/api/webhooks'));
    } catch (error) {
      toast('error', errorText(error));
    }
  }, [toast]);
  useEffect(() => void load(), [load]);

  const sendTest = async (webhook: Webhook) => {
    setTesting(webhook.id);
    try {
      const result = await api<WebhookTestResult>('POST', `/api/webhooks/${encodeURIComponent(webhook.id)}/test`);
      toast(result.ok ? 'success' : 'error', result.ok ? result.message : `Test of "${webhook.name}" failed: ${result.message}`);
    } catch (error) {
      toast('error', errorText(error));
    } finally {
      setTesting(undefined);
    }
  };

  const setEnabled = async (webhook: Webhook, enabled: boolean) => {
    try {
      await api('PUT', `/api/webhooks/${encodeURIComponent(webhook.id)}`, { name: webhook.name, events: webhook.events, enabled });
      await load();
    } catch (error) {
      toast('error', errorText(error));
    }
  };

  const remove = async (webhook: Webhook) => {
    if (!window.confirm(`Delete the webhook "${webhook.name}"? It will no longer be notified.`)) return;
    try {
      await api('DELETE', `/api/webhooks/${encodeURIComponent(webhook.id)}`);
      toast('success', `Webhook "${webhook.name}" deleted.`);
      await load();
    } catch (error) {
      toast('error', errorText(error));
    }
  };

  return (
    <section>
      <div className="page-header">
        <h1>Notifications</h1>
        <button type="button" onClick={() => setDialog({ webhook: undefined })}>Add webhook</button>
      </div>
      <p className="muted">
        DBackup POSTs a JSON message to each enabled webhook when a run ends the way it asks for. Slack, Discord (append <code>/slack</code>) and
        Mattermost incoming webhooks show its <code>text</code>. Delivery problems are written to the run's log.
      </p>
      <table className="table">
        <thead>
          <tr><th>Name</th><th>URL</th><th>Notify when</th><th>Enabled</th><th /></tr>
        </thead>
        <tbody>
          {webhooks?.length === 0 && (
            <tr><td colSpan={5} className="muted">No webhooks yet. Add one to hear about failed backups.</td></tr>
          )}
          {webhooks?.map((webhook) => (
            <tr key={webhook.id} data-webhook={webhook.name}>
              <td>{webhook.name}</td>
              <td><code>{webhook.urlMasked}</code></td>
              <td data-testid="webhook-events" title={webhook.events.map((e) => EVENT_CHOICES.find((c) => c.value === e)?.label ?? e).join(', ')}>
                {webhook.events.map((e) => EVENT_SHORT[e] ?? e).join(', ')}
              </td>
              <td>
                <label className="check">
                  <input type="checkbox" aria-label={`Enabled: ${webhook.name}`} checked={webhook.enabled} onChange={(e) => void setEnabled(webhook, e.target.checked)} />
                  {webhook.enabled ? 'on' : 'off'}
                </label>
              </td>
              <td className="actions">
                <button type="button" className="secondary small" disabled={testing === webhook.id} onClick={() => void sendTest(webhook)}>
                  {testing === webhook.id ? 'Sending…' : 'Send test'}
                </button>
                <button type="button" className="secondary small" onClick={() => setDialog({ webhook })}>Edit</button>
                <button type="button" className="danger small" onClick={() => void remove(webhook)}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dialog && (
        <WebhookDialog
          key={dialog.webhook?.id ?? 'new'}
          initial={dialog.webhook}
          onClose={() => setDialog(undefined)}
          onSaved={() => {
            toast('success', 'Webhook saved.');
            setDialog(undefined);
            void load();
          }}
        />
      )}
    </section>
  );
}
