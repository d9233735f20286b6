import { DBackupError } from '../../core/errors.ts';

const MAX_JSON_BYTES = 1024 * 1024;

/** A JSON response with no caching (API answers are per-user). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function noContent(headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 204, headers: { 'cache-control': 'no-store', ...headers } });
}

/**
 * Reads a JSON object body. Throws `invalid_input` when the content type is not JSON (which also
 * keeps cross-site HTML forms out: they cannot send `application/json` without a CORS preflight),
 * when the body is larger than 1 MiB, or when it is not a JSON object.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new DBackupError('invalid_input', 'Send the request body as JSON with "Content-Type: application/json".');
  }
  const text = await readLimited(request, MAX_JSON_BYTES);
  let value: unknown;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch (cause) {
    throw new DBackupError('invalid_input', 'The request body is not valid JSON.', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DBackupError('invalid_input', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** Optional string field; throws `invalid_input` naming the field when it has another type. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new DBackupError('invalid_input', `"${field}" must be a string.`, { details: { fields: { [field]: 'Must be text.' } } });
  }
  return value;
}

/** The body as text, refusing (without buffering further) once it passes `limit` bytes. */
async function readLimited(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new DBackupError('too_large', `The request body is larger than ${limit / 1024 / 1024} MiB.`);
  if (Number(request.headers.get('content-length') ?? 0) > limit) throw tooLarge();
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
