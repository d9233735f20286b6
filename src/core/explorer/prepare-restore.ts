/**
 * Checks a restore request before anything is recorded: the destination and the backup file exist,
 * the target source exists and is of the backup's engine (by its sidecar), and the target database
 * name is usable. Throws `not_found`, or `invalid_input` with `details.fields` for the form.
 */
import type { Destination } from '../../ports/destination.port.ts';
import type { DestinationRecord, Repositories, SourceRecord } from '../../ports/metadata-store.port.ts';
import { sidecarKeyFor } from '../backup/backup-naming.ts';
import { parseSidecar } from '../backup/sidecar.ts';
import { assertNoFieldErrors, trimmed, type FieldErrors } from '../catalog/field-errors.ts';
import { DBackupError, isDBackupError } from '../errors.ts';
import { requireBackupKey } from './backup-keys.ts';
import type { RestoreInput } from './restore-operation.ts';
import { engineFamily, restoreTarget } from './restore-target.ts';

const DATABASE_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_$.-]{0,62}$/u;

export interface PrepareRestoreDeps {
  store: Pick<Repositories, 'destinations' | 'sources'>;
  openDestination: (record: DestinationRecord) => Destination;
}

export interface PreparedRestore {
  fileName: string;
  destination: DestinationRecord;
  source: SourceRecord;
  storage: Destination;
  target: ReturnType<typeof restoreTarget>;
  /** Size of the stored file. */
  size: number;
}

export async function prepareRestore(deps: PrepareRestoreDeps, input: RestoreInput): Promise<PreparedRestore> {
  const { store } = deps;
  const errors: FieldErrors = {};
  const parts = requireBackupKey(input.key);
  const destination = await store.destinations.get(input.destinationId);
  if (!destination) throw new DBackupError('not_found', 'No such destination. It may have been deleted.');
  const source = input.sourceId ? await store.sources.get(input.sourceId) : undefined;
  if (!source) errors.sourceId = input.sourceId ? 'That source no longer exists. Choose another.' : 'Choose the source to restore into.';
  const storage = deps.openDestination(destination);
  const requested = trimmed(input.database);
  if (requested !== '' && !DATABASE_NAME.test(requested)) errors.database = 'Use letters, digits, "_", "-", "." or "$" (at most 63 characters), starting with a letter, digit or "_".';
  assertNoFieldErrors(errors);
  const stat = await storage.stat(input.key);
  if (!stat) throw new DBackupError('not_found', `${input.key} is not there any more. Refresh the list.`);

  const sidecar = await storage.readText(sidecarKeyFor(input.key)).then((text) => parseSidecar(text, sidecarKeyFor(input.key)), (error: unknown) => {
    if (isDBackupError(error, 'not_found')) return undefined;
    throw error;
  });
  const target = restoreTarget(source!, requested || undefined, sidecar?.database);
  if (sidecar && engineFamily(sidecar.source.type) !== engineFamily(source!.type)) {
    assertNoFieldErrors({ sourceId: `This backup is a ${sidecar.source.type} dump; choose a ${sidecar.source.type} source to restore it into.` });
  }
  return { fileName: parts.fileName, destination, source: source!, storage, target, size: stat.size };
}
