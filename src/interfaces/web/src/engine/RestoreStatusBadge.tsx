import type { RestoreStatus } from './types.ts';

const LOOK: Record<RestoreStatus, { label: string; className: string }> = {
  running: { label: 'Running', className: 'badge-blue' },
  success: { label: 'Success', className: 'badge-green' },
  failed: { label: 'Failed', className: 'badge-red' },
  cancelled: { label: 'Cancelled', className: 'badge-muted' },
  interrupted: { label: 'Interrupted', className: 'badge-red' },
};

/** A restore's status as a coloured badge. */
export function RestoreStatusBadge({ status }: { status: RestoreStatus }) {
  const look = LOOK[status];
  return <span className={`badge ${look.className}`} data-status={status}>{look.label}</span>;
}
