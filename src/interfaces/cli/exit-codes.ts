import { DBackupError, cancelledError, type ErrorCode } from '../../core/errors.ts';

/**
 * The one place that turns outcomes into process exit statuses. Scripts may rely on these numbers;
 * change them only with a release note. docs/cli.md lists the same table.
 */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  integrity: 3,
  notFound: 4,
  authorization: 5,
  conflict: 6,
  noSpace: 7,
  temporary: 8,
  cancelled: 130,
} as const;

export const EXIT_CODE_DESCRIPTIONS: ReadonlyArray<readonly [number, string]> = [
  [EXIT_CODES.ok, 'success'],
  [EXIT_CODES.failure, 'unexpected failure (see the message)'],
  [EXIT_CODES.usage, 'wrong command-line usage or invalid input (e.g. not a key file)'],
  [EXIT_CODES.integrity, 'wrong key, or the backup is corrupted, tampered with or truncated'],
  [EXIT_CODES.notFound, 'a file, backup or key was not found'],
  [EXIT_CODES.authorization, 'authorization needed (reconnect) or a permission is missing'],
  [EXIT_CODES.conflict, 'would overwrite something (e.g. the output exists; use --force)'],
  [EXIT_CODES.noSpace, 'out of space or too large (quota or size limit)'],
  [EXIT_CODES.temporary, 'temporary failure (network, rate limit, service down); retry later'],
  [EXIT_CODES.cancelled, 'cancelled (Ctrl-C)'],
];

// A Record over every ErrorCode, so a new code cannot be added without choosing its exit status.
const BY_ERROR_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_input: EXIT_CODES.usage,
  integrity: EXIT_CODES.integrity,
  not_found: EXIT_CODES.notFound,
  authorization_required: EXIT_CODES.authorization,
  missing_scope: EXIT_CODES.authorization,
  conflict: EXIT_CODES.conflict,
  quota_exceeded: EXIT_CODES.noSpace,
  too_large: EXIT_CODES.noSpace,
  transient: EXIT_CODES.temporary,
  rate_limited: EXIT_CODES.temporary,
  unavailable: EXIT_CODES.temporary,
  cancelled: EXIT_CODES.cancelled,
  internal: EXIT_CODES.failure,
};

/** Exit status for an error thrown by a command (anything that is not a DBackupError → 1). */
export function exitCodeFor(error: unknown): number {
  return BY_ERROR_CODE[asDBackupError(error).code];
}

/** The error as a DBackupError: aborts become `cancelled`, anything unknown `internal`. */
export function asDBackupError(error: unknown): DBackupError {
  if (error instanceof DBackupError) return error;
  if (error instanceof Error && (error.name === 'AbortError' || (error as NodeJS.ErrnoException).code === 'ABORT_ERR')) {
    return cancelledError(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DBackupError('internal', `Unexpected error: ${message}`, { cause: error, retryable: false });
}
