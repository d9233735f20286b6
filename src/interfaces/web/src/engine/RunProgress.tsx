import { formatBytes, formatRate, formatSeconds } from './format.ts';
import { ProgressBar } from './ProgressBar.tsx';
import type { Run } from './types.ts';

const STAGES: Record<string, string> = {
  preparing: 'Preparing',
  dumping: 'Dumping, compressing, encrypting and uploading',
  uploading: 'Uploading',
  retention: 'Applying retention',
};

/** Live figures of a queued or running run: stage, bytes, rate, ETA and a bar. */
export function RunProgress({ run }: { run: Run }) {
  const total = run.rate && run.etaSeconds !== undefined ? run.bytes + run.rate * run.etaSeconds : undefined;
  const fraction = run.status === 'queued' ? 0 : total ? run.bytes / total : undefined;
  const stage = run.status === 'queued' ? 'Waiting for a free slot' : STAGES[run.stage ?? ''] ?? run.stage ?? 'Starting';
  return (
    <div className="panel" data-testid="run-progress">
      <ProgressBar fraction={fraction} label={`Progress of ${run.jobName}`} />
      <div className="progress-figures">
        <span><strong>Stage</strong><span data-testid="run-stage">{stage}</span></span>
        <span><strong>Dumped</strong>{formatBytes(run.bytes)}</span>
        <span><strong>Rate</strong>{formatRate(run.rate)}</span>
        <span><strong>Time left</strong>{run.etaSeconds !== undefined ? formatSeconds(run.etaSeconds) : 'estimating…'}</span>
      </div>
    </div>
  );
}
