import type { DestinationResult, Repositories, Run, RunLogLine, RunStatus } from '../../ports/metadata-store.port.ts';
import { DBackupError } from '../errors.ts';
import type { JobRunner } from './job-runner.ts';

export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'success', 'partial', 'failed', 'cancelled', 'interrupted'];

/** A run with the names the UI shows beside the ids. */
export interface RunView extends Omit<Run, 'destinationResults'> {
  jobName: string;
  destinationResults: Array<DestinationResult & { destinationName: string }>;
}

export interface RunFilterInput {
  jobId?: string;
  status?: string;
  /** Runs queued strictly before this time (paging). */
  before?: Date;
  /** Default 50, at most 500. */
  limit?: number;
}

export interface RunLogsView {
  lines: RunLogLine[];
  /** Pass as `afterSeq` next time to get only newer lines. */
  lastSeq: number;
  /** The run has ended: no more lines will come. */
  finished: boolean;
}

export interface RunsService {
  /** Newest first. Throws `invalid_input` for an unknown status. */
  list(filter?: RunFilterInput): Promise<RunView[]>;
  /** With stage, bytes, rate and ETA while running. Throws `not_found`. */
  get(id: string): Promise<RunView>;
  /** Lines after `afterSeq` (incremental polling). Throws `not_found`. */
  logs(id: string, afterSeq?: number): Promise<RunLogsView>;
  /** Cancels a queued or running run; a finished one is returned unchanged. Throws `not_found`. */
  cancel(id: string): Promise<RunView>;
}

export interface RunsServiceOptions {
  store: Pick<Repositories, 'runs' | 'jobs' | 'destinations'>;
  runner: Pick<JobRunner, 'cancel'>;
}

/** Run history, live progress, logs and cancellation. */
export function createRunsService(options: RunsServiceOptions): RunsService {
  const { store } = options;

  async function names(): Promise<{ job: (id: string) => string; destination: (id: string) => string }> {
    const [jobs, destinations] = await Promise.all([store.jobs.list(), store.destinations.list()]);
    const jobNames = new Map(jobs.map((job) => [job.id, job.name]));
    const destinationNames = new Map(destinations.map((destination) => [destination.id, destination.name]));
    return {
      job: (id) => jobNames.get(id) ?? '(deleted job)',
      destination: (id) => destinationNames.get(id) ?? '(deleted destination)',
    };
  }

  function view(run: Run, lookup: Awaited<ReturnType<typeof names>>): RunView {
    return {
      ...run,
      jobName: lookup.job(run.jobId),
      destinationResults: run.destinationResults.map((result) => ({ ...result, destinationName: lookup.destination(result.destinationId) })),
    };
  }

  async function load(id: string): Promise<Run> {
    const run = await store.runs.get(id);
    if (!run) throw new DBackupError('not_found', 'No such run. It may have been deleted with its job.');
    return run;
  }

  return {
    async list(filter = {}) {
      if (filter.status !== undefined && filter.status !== '' && !RUN_STATUSES.includes(filter.status as RunStatus)) {
        throw new DBackupError('invalid_input', `Unknown run status "${filter.status}". Use one of: ${RUN_STATUSES.join(', ')}.`, { details: { fields: { status: 'Unknown status.' } } });
      }
      const runs = await store.runs.list({
        ...(filter.jobId ? { jobId: filter.jobId } : {}),
        ...(filter.status ? { statuses: [filter.status as RunStatus] } : {}),
        ...(filter.before ? { before: filter.before } : {}),
        limit: Math.min(Math.max(filter.limit ?? 50, 1), 500),
      });
      const lookup = await names();
      return runs.map((run) => view(run, lookup));
    },
    async get(id) {
      return view(await load(id), await names());
    },
    async logs(id, afterSeq = 0) {
      const run = await load(id);
      const lines = await store.runs.logs(id, { afterSeq, limit: 1000 });
      const finished = run.status !== 'queued' && run.status !== 'running';
      return { lines, lastSeq: lines.at(-1)?.seq ?? afterSeq, finished: finished && lines.length < 1000 };
    },
    async cancel(id) {
      await load(id);
      await options.runner.cancel(id);
      return view(await load(id), await names());
    },
  };
}
