import type { RestoreLogLine } from './types.ts';

/** A restore's log (it comes whole with the restore: restore logs are short and bounded). */
export function RestoreLog({ lines }: { lines: RestoreLogLine[] }) {
  return (
    <div className="log-view" data-testid="restore-log" aria-label="Restore log">
      {lines.length === 0 && <span className="muted">No log lines yet.</span>}
      {lines.map((line, index) => (
        <div key={index} className={line.level}>
          <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time>
          {line.message}
        </div>
      ))}
    </div>
  );
}
