import { navigate } from '../navigation.ts';
import type { RestoreOperation } from './types.ts';

/** How long an interrupted restore is warned about; its row in the history stays marked for good. */
const WARN_FOR_MS = 7 * 24 * 3600 * 1000;

/**
 * The loud warning about restores that DBackup's stopping cut short in the last week: their target
 * databases may be incomplete. Renders nothing when `restores` holds none.
 */
export function InterruptedRestoresNotice({ restores, link = false }: { restores: RestoreOperation[]; link?: boolean }) {
  const interrupted = restores.filter((restore) => restore.status === 'interrupted' && Date.now() - new Date(restore.endedAt ?? restore.startedAt).getTime() < WARN_FOR_MS);
  if (interrupted.length === 0) return null;
  const path = '/restores?status=interrupted';
  return (
    <div className="warning-box" role="alert" data-testid="interrupted-restores">
      <strong>{interrupted.length === 1 ? 'A restore was interrupted' : `${interrupted.length} restores were interrupted`}</strong> because DBackup stopped while it ran:{' '}
      {interrupted.map((restore) => `"${restore.database}" on ${restore.sourceName}`).join(', ')}. These databases may be only partly restored: restore the
      backup again (with "Replace existing data") or drop the database before using it.
      {link && <> <a href={path} onClick={(event) => { event.preventDefault(); navigate(path); }}>Show interrupted restores</a></>}
    </div>
  );
}
