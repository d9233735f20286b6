import { formatBytes } from './format.ts';
import { ProgressBar } from './ProgressBar.tsx';
import type { RestoreOperation } from './types.ts';

const STAGE_LABEL: Record<string, string> = { starting: 'Starting', downloading: 'Downloading and checking the hash', checking: 'Checking the whole file decrypts', restoring: 'Loading into the database' };

/** A running restore's bar and stage: determinate while downloading (the file size is known). */
export function RestoreStageProgress({ operation }: { operation: RestoreOperation }) {
  const fraction = operation.stage === 'downloading' && operation.totalBytes ? operation.bytes / operation.totalBytes : undefined;
  return (
    <>
      <ProgressBar fraction={fraction} label="Restore progress" />
      <p className="small muted" data-testid="restore-stage">
        {STAGE_LABEL[operation.stage ?? 'starting']}
        {operation.stage === 'downloading' ? ` · ${formatBytes(operation.bytes)} of ${formatBytes(operation.totalBytes)}` : ''}
      </p>
    </>
  );
}

/** The file name of a backup key (`job-folder/backup_….sql.gz.enc` → `backup_….sql.gz.enc`). */
export function backupFileName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
