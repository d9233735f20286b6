import type { RunStatus } from './types.ts';

const LOOK: Record<RunStatus, { label: string; className: string }> = {
  queued: { label: 'Queued', className: 'badge-blue' },
  running: { label: 'Running', className: 'badge-blue' },
  success: { label: 'Success', className: 'badge-green' },
  partial: { label: 'Partial', className: 'badge-amber' },
  failed: { label: 'Failed', className: 'badge-red' },
  cancelled: { label: 'Cancelled', className: 'badge-muted' },
  interrupted: { label: 'Interrupted', className: 'badge-red' },
};

/** A run's status as a coloured badge. */
export function RunStatusBadge({ status }: { status: RunStatus | undefined }) {
  if (!status) return <span className="badge badge-muted">Never run</span>;
  const look = LOOK[status];
  return <span className={`badge ${look.className}`} data-status={status}>{look.label}</span>;
}
