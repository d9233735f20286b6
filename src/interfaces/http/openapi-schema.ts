/** Builders shared by the OpenAPI description's parts (openapi.ts and its merged sections). */
export type Schema = Record<string, unknown>;

/** One route as the OpenAPI document describes it. */
export interface Operation {
  summary: string;
  auth: 'none' | 'user' | 'session';
  /** Name of the request body's schema. */
  body?: string;
  response?: { status: number; schema?: string; description?: string };
  query?: { name: string; description: string }[];
  /** Extra error statuses worth documenting. */
  errors?: number[];
}

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const str = (description?: string): Schema => (description ? { type: 'string', description } : { type: 'string' });
export const int = (description?: string): Schema => (description ? { type: 'integer', description } : { type: 'integer' });
export const bool = (description?: string): Schema => (description ? { type: 'boolean', description } : { type: 'boolean' });
export const time = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
export const list = (item: string): Schema => ({ type: 'array', items: ref(item) });
export const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required, additionalProperties: false });
