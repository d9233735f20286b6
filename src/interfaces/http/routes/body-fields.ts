/**
 * Shape checks for request bodies and query strings: each wrong type becomes `invalid_input` with
 * `details.fields` naming the field, so the UI can show the message beside it. Rules beyond the
 * shape (required, ranges, references) belong to the services.
 */
import { DBackupError } from '../../../core/errors.ts';

function wrongType(field: string, expected: string): DBackupError {
  return new DBackupError('invalid_input', `"${field}" must be ${expected}.`, { details: { fields: { [field]: `Must be ${expected}.` } } });
}

/** A string field; missing or null → `''`. */
export function text(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw wrongType(field, 'text');
  return value;
}

/** A string or number field (form inputs send numbers as text); missing → `undefined`. */
export function textOrNumber(body: Record<string, unknown>, field: string): string | number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw wrongType(field, 'a number');
  return value;
}

export function flag(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(field, 'true or false');
  return value;
}

export function textList(body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw wrongType(field, 'a list of ids');
  return value as string[];
}

/** A nested object field; missing or null → `undefined`. */
export function object(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(field, 'an object');
  return value as Record<string, unknown>;
}

/** A whole number from the query string; absent → `undefined`. */
export function queryInteger(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw wrongType(name, 'a whole number');
  return Number(value);
}

/** A timestamp from the query string (ISO 8601); absent → `undefined`. */
export function queryDate(url: URL, name: string): Date | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw wrongType(name, 'an ISO 8601 time');
  return date;
}

/** A required query parameter. */
export function queryText(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (value === null || value === '') {
    throw new DBackupError('invalid_input', `The query parameter "${name}" is required.`, { details: { fields: { [name]: 'Required.' } } });
  }
  return value;
}
