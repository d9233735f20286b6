/**
 * Tells webhooks how a run ended. Delivery never fails or delays the run: `runEnded` returns at
 * once, each matching webhook is sent to in the background (the notifier retries network errors
 * and 5xx), and the outcome — delivered, or why not and what to check — goes into the run's log.
 */
import type { NotificationEvent, Repositories, Run, WebhookRecord } from '../../ports/metadata-store.port.ts';
import type { Notifier } from '../../ports/notifier.port.ts';
import { isDBackupError } from '../errors.ts';
import { buildRunPayload, eventOfRun, type RunNotificationPayload } from './run-payload.ts';

export interface RunNotificationsOptions {
  store: Pick<Repositories, 'runs' | 'jobs' | 'destinations' | 'webhooks'>;
  notifier: Notifier;
  /** PUBLIC_URL, for links to the run in the UI. */
  publicUrl: string;
  appVersion: string;
  /** Process log for failures that cannot go into a run's log. */
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface RunNotifications {
  /** Fire and forget: notifies the webhooks that want this run's outcome. Never throws. */
  runEnded(runId: string): void;
  /** Resolves when every delivery started so far has finished (shutdown, tests). */
  settled(): Promise<void>;
  /** Runs whose notifications are still being delivered (retries included). */
  readonly pending: number;
  /**
   * Sends a sample payload to `webhook` now, once, and waits for the answer. Throws the notifier's
   * error (HTTP status, unreachable host, timeout) so the user sees exactly what went wrong.
   */
  sendTest(webhook: WebhookRecord, signal?: AbortSignal): Promise<RunNotificationPayload>;
}

/** Which webhooks hear about `event`. */
export function webhooksFor(event: NotificationEvent, webhooks: readonly WebhookRecord[]): WebhookRecord[] {
  return webhooks.filter((webhook) => webhook.enabled && webhook.events.includes(event));
}

export function createRunNotifications(options: RunNotificationsOptions): RunNotifications {
  const { store, notifier } = options;
  const inFlight = new Set<Promise<void>>();
  const processLog = options.log ?? (() => undefined);

  const runLog = (runId: string, level: 'info' | 'warn', message: string) =>
    store.runs.appendLog(runId, level, message).catch(() => processLog(level, message));

  async function payloadFor(run: Run, event: RunNotificationPayload['event']): Promise<RunNotificationPayload> {
    const job = await store.jobs.get(run.jobId);
    const ids = new Set([...run.destinationResults.map((r) => r.destinationId), ...(job?.destinationIds ?? [])]);
    const destinationNames = new Map<string, string>();
    for (const id of ids) {
      const record = await store.destinations.get(id);
      if (record) destinationNames.set(id, record.name);
    }
    return buildRunPayload({ event, run, job, destinationNames, publicUrl: options.publicUrl, version: options.appVersion });
  }

  async function notify(runId: string): Promise<void> {
    const run = await store.runs.get(runId);
    const event = run && eventOfRun(run.status);
    if (!run || !event) return;
    const targets = webhooksFor(event, await store.webhooks.list());
    if (targets.length === 0) return;
    const payload = await payloadFor(run, event);
    await Promise.all(targets.map(async (webhook) => {
      try {
        await notifier.deliver(webhook.url, payload);
        await runLog(runId, 'info', `Notified webhook "${webhook.name}" (${event}).`);
      } catch (error) {
        const reason = isDBackupError(error) ? error.message : String((error as Error)?.message ?? error);
        await runLog(runId, 'warn', `Notifying webhook "${webhook.name}" failed: ${reason} The backup itself is not affected; check the webhook under Notifications and use "Send test".`);
      }
    }));
  }

  return {
    runEnded(runId) {
      const delivery = notify(runId)
        .catch((error: unknown) => processLog('warn', `Could not send notifications for run ${runId}: ${(error as Error)?.message ?? String(error)}`))
        .finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    get pending() {
      return inFlight.size;
    },
    async sendTest(webhook, signal) {
      const now = new Date();
      const sample: Run = {
        id: 'test-run', jobId: 'test-job', status: 'failed', trigger: 'manual', stage: undefined, bytes: 0, rate: undefined, etaSeconds: undefined,
        queuedAt: now, startedAt: now, endedAt: now, errorCode: 'unavailable', errorMessage: 'This is a test notification; no backup failed.',
        destinationResults: [], backupKey: undefined, owner: undefined,
      };
      const payload = buildRunPayload({
        event: 'test', run: sample, job: { id: 'test-job', name: 'Example job', destinationIds: [] }, destinationNames: new Map(),
        publicUrl: options.publicUrl, version: options.appVersion,
      });
      await notifier.deliver(webhook.url, payload, { attempts: 1, signal });
      return payload;
    },
  };
}
