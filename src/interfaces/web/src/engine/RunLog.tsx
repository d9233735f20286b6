import { useCallback, useState } from 'react';
import { api } from '../api.ts';
import type { LogLine, RunLogs } from './types.ts';
import { usePolling } from './use-polling.ts';

/**
 * The run's log, fetched incrementally (only lines after the last one seen). Polls every second
 * while the run is active, and once more after it ended so the final lines arrive.
 */
export function RunLog({ runId, active }: { runId: string; active: boolean }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [lastSeq, setLastSeq] = useState(0);
  const [settled, setSettled] = useState(false);

  const load = useCallback(async (signal: AbortSignal) => {
    const logs = await api<RunLogs>('GET', `/api/runs/${encodeURIComponent(runId)}/logs?afterSeq=${lastSeq}`);
    if (signal.aborted) return;
    if (logs.lines.length > 0) {
      setLines((all) => [...all, ...logs.lines.filter((line) => line.seq > (all.at(-1)?.seq ?? 0))]);
      setLastSeq(logs.lastSeq);
    } else if (!active) {
      setSettled(true);
    }
  }, [runId, lastSeq, active]);
  // Restart only for another run: `load` itself changes with every batch (afterSeq), and a restart
  // while a request is in flight would fetch the same lines twice.
  usePolling(load, settled ? 0 : 1000, [runId]);

  return (
    <div className="log-view" data-testid="run-log" aria-label="Run log">
      {lines.length === 0 && <span className="muted">No log lines yet.</span>}
      {lines.map((line) => (
        <div key={line.seq} className={line.level}>
          <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time>
          {line.message}
        </div>
      ))}
    </div>
  );
}
