import { DBackupError } from '../errors.ts';

/** One message per invalid field, keyed by the field's API name (`name`, `retention.daily`, …). */
export type FieldErrors = Record<string, string>;

/**
 * Throws `invalid_input` with `details.fields` when any field is invalid, so the API can show each
 * message next to its field; the error message lists them all for callers without a form (CLI).
 */
export function assertNoFieldErrors(fields: FieldErrors): void {
  const messages = Object.values(fields);
  if (messages.length === 0) return;
  throw new DBackupError('invalid_input', `Check the highlighted fields: ${messages.join(' ')}`, { details: { fields } });
}

/** Form text without surrounding white space; `undefined` becomes `''`. */
export function trimmed(value: string | undefined): string {
  return (value ?? '').trim();
}
