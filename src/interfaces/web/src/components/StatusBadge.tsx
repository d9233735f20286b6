import type { DestinationStatus } from '../api.ts';

/** The authorization/health status of a destination, as verified live by the server. */
export function StatusBadge({ status }: { status: DestinationStatus | undefined }) {
  if (!status) return <span className="badge badge-muted">Checking…</span>;
  if (status.state === 'authorized') {
    return (
      <span className="status">
        <span className="badge badge-green">Authorized</span>
        {status.account && <span className="muted small"> as {status.account.name}</span>}
      </span>
    );
  }
  if (status.state === 'ready') return <span className="badge badge-green">Ready</span>;
  if (status.state === 'authorization_required') {
    return (
      <span className="status">
        <span className="badge badge-amber">Authorization required</span>
        {status.message && <span className="status-reason small">{status.message}</span>}
      </span>
    );
  }
  return (
    <span className="status">
      <span className="badge badge-red">Error</span>
      {status.message && <span className="status-reason small">{status.message}</span>}
    </span>
  );
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

export function formatUsage(status: DestinationStatus | undefined): string {
  if (!status?.usage) return '—';
  const { used, allocated } = status.usage;
  return allocated ? `${formatBytes(used)} of ${formatBytes(allocated)}` : formatBytes(used);
}
