/**
 * The JSON document a webhook receives when a run ends. `text` is a one-line summary, so
 * Slack/Discord-style incoming webhooks (which show a `text` field) display something readable;
 * the other fields are for programs. Documented in docs/operations.md ("Notifications").
 */
import type { Job, NotificationEvent, Run, RunStatus } from '../../ports/metadata-store.port.ts';

export interface RunNotificationPayload {
  /** `test` only for "Send test". */
  event: NotificationEvent | 'test';
  text: string;
  job: { id: string; name: string };
  run: {
    id: string;
    status: RunStatus;
    trigger: Run['trigger'];
    startedAt: string | null;
    endedAt: string | null;
    /** Bytes of the dump (before compression). */
    bytes: number;
    errorCode: string | null;
    errorMessage: string | null;
    /** The run's page in the web UI. */
    url: string;
  };
  destinations: Array<{ id: string; name: string; status: 'success' | 'failed' | 'pending' | 'not_written'; errorMessage: string | null }>;
  dbackup: { version: string; url: string };
}

/** Which event a finished run is; `undefined` for runs nobody is told about (cancelled by a user, unfinished). */
export function eventOfRun(status: RunStatus): NotificationEvent | undefined {
  switch (status) {
    case 'failed': return 'run.failed';
    case 'partial': return 'run.partial';
    case 'interrupted': return 'run.interrupted';
    case 'success': return 'run.succeeded';
    default: return undefined;
  }
}

const VERB: Record<NotificationEvent, string> = {
  'run.failed': 'failed',
  'run.partial': 'partly failed',
  'run.interrupted': 'was interrupted',
  'run.succeeded': 'succeeded',
};

export interface RunPayloadInput {
  event: NotificationEvent | 'test';
  run: Run;
  /** Undefined when the job was deleted meanwhile. */
  job: Pick<Job, 'id' | 'name' | 'destinationIds'> | undefined;
  /** Destination id → name. */
  destinationNames: ReadonlyMap<string, string>;
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  version: string;
}

export function buildRunPayload(input: RunPayloadInput): RunNotificationPayload {
  const { run, job, event } = input;
  const jobName = job?.name ?? `deleted job ${run.jobId}`;
  const base = input.publicUrl.replace(/\/+$/, '');
  const url = `${base}/runs/${encodeURIComponent(run.id)}`;
  // A run that stopped before writing lists its job's destinations as not written.
  const results = run.destinationResults.length > 0
    ? run.destinationResults.map((r) => ({ id: r.destinationId, status: r.status, errorMessage: r.errorMessage ?? null }))
    : (job?.destinationIds ?? []).map((id) => ({ id, status: 'not_written' as const, errorMessage: null }));
  const destinations = results.map((r) => ({ ...r, name: input.destinationNames.get(r.id) ?? r.id }));
  return {
    event,
    text: summary(event, jobName, run, destinations, url),
    job: { id: job?.id ?? run.jobId, name: jobName },
    run: {
      id: run.id,
      status: run.status,
      trigger: run.trigger,
      startedAt: run.startedAt?.toISOString() ?? null,
      endedAt: run.endedAt?.toISOString() ?? null,
      bytes: run.bytes,
      errorCode: run.errorCode ?? null,
      errorMessage: run.errorMessage ?? null,
      url,
    },
    destinations,
    dbackup: { version: input.version, url: base },
  };
}

function summary(event: RunPayloadInput['event'], jobName: string, run: Run, destinations: Array<{ name: string; status: string }>, url: string): string {
  if (event === 'test') return `DBackup test notification: this webhook works. Example run of "${jobName}": ${url}`;
  const failedOn = destinations.filter((d) => d.status === 'failed').map((d) => d.name);
  const where = event === 'run.partial' && failedOn.length > 0 ? ` on ${failedOn.join(', ')}` : '';
  const why = event === 'run.succeeded' || !run.errorMessage ? '' : `: ${oneLine(run.errorMessage)}`;
  return `DBackup: backup of "${jobName}" ${VERB[event]}${where}${why} — ${url}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
