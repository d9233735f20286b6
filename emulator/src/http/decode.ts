/**
 * A tiny decoder for Dropbox (stone) JSON arguments: structs reject unknown fields, unions accept
 * the compact form for void members, and errors read like Dropbox's 400 texts
 * (`commit.mode: missing '.tag' key`, `unknown field 'root'`).
 */
export class DecodeError extends Error {}

export type Decoder<T> = (value: unknown, at: string) => T;

function where(at: string): string {
  return at === '' ? '' : `${at}: `;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  return typeof value;
}

function shown(value: unknown): string {
  return value === null ? 'None' : JSON.stringify(value) ?? String(value);
}

export function string(options: { pattern?: RegExp; patternText?: string; min?: number; max?: number } = {}): Decoder<string> {
  return (value, at) => {
    if (typeof value !== 'string') throw new DecodeError(`${where(at)}'${shown(value)}' expected to be a string, got ${describe(value)}`);
    if (options.min !== undefined && value.length < options.min) throw new DecodeError(`${where(at)}'${value}' must be at least ${options.min} characters, got ${value.length}`);
    if (options.max !== undefined && value.length > options.max) throw new DecodeError(`${where(at)}'${value}' must be at most ${options.max} characters, got ${value.length}`);
    if (options.pattern && !options.pattern.test(value)) {
      throw new DecodeError(`${where(at)}'${value}' did not match pattern '${options.patternText ?? options.pattern.source}'`);
    }
    return value;
  };
}

export function boolean(): Decoder<boolean> {
  return (value, at) => {
    if (typeof value !== 'boolean') throw new DecodeError(`${where(at)}'${shown(value)}' expected to be a boolean, got ${describe(value)}`);
    return value;
  };
}

export function integer(options: { min?: number; max?: number } = {}): Decoder<number> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return (value, at) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new DecodeError(`${where(at)}'${shown(value)}' expected to be an integer, got ${describe(value)}`);
    if (value < min) throw new DecodeError(`${where(at)}${value} is not greater than or equal to ${min}`);
    if (value > max) throw new DecodeError(`${where(at)}${value} is not less than or equal to ${max}`);
    return value;
  };
}

export function list<T>(item: Decoder<T>, options: { max?: number } = {}): Decoder<T[]> {
  return (value, at) => {
    if (!Array.isArray(value)) throw new DecodeError(`${where(at)}'${shown(value)}' expected to be a list, got ${describe(value)}`);
    if (options.max !== undefined && value.length > options.max) throw new DecodeError(`${where(at)}list has more than ${options.max} items`);
    return value.map((v, i) => item(v, `${at}[${i}]`));
  };
}

/** Unknown JSON accepted as-is (for fields we tolerate but ignore). */
export function anything(): Decoder<unknown> {
  return (value) => value;
}

export interface Field<T> {
  decoder: Decoder<T>;
  /** Field may be absent or null. */
  optional?: boolean;
}

export function field<T>(decoder: Decoder<T>, optional = false): Field<T> {
  return { decoder, optional };
}

type StructOf<F extends Record<string, Field<unknown>>> = { [K in keyof F]: F[K] extends Field<infer T> ? T | undefined : never };

function child(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}

export function struct<F extends Record<string, Field<unknown>>>(fields: F, options: { ignore?: string[] } = {}): Decoder<StructOf<F>> {
  return (value, at) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DecodeError(`${where(at)}'${shown(value)}' expected to be an object, got ${describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(key in fields) && key !== '.tag' && !options.ignore?.includes(key)) throw new DecodeError(`${where(at)}unknown field '${key}'`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(fields)) {
      const raw = record[key];
      if (raw === undefined || (raw === null && spec.optional)) {
        if (!spec.optional) throw new DecodeError(`${where(at)}missing required field '${key}'`);
        continue;
      }
      out[key] = spec.decoder(raw, child(at, key));
    }
    return out as StructOf<F>;
  };
}

export interface UnionValue {
  tag: string;
  value?: unknown;
}

/**
 * Union decoder. A member maps to null (void), a decoder of a nested value (`{".tag":"update","update":"rev"}`),
 * or `{ inline: structDecoder }` for struct members whose fields sit beside `.tag`.
 */
export function union(members: Record<string, null | Decoder<unknown> | { inline: Decoder<unknown> }>): Decoder<UnionValue> {
  return (value, at) => {
    if (typeof value === 'string') {
      if (!(value in members)) throw new DecodeError(`${where(at)}unknown tag '${value}'`);
      if (members[value] !== null) throw new DecodeError(`${where(at)}tag '${value}' requires a value`);
      return { tag: value };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DecodeError(`${where(at)}'${shown(value)}' expected to be a union (object with '.tag'), got ${describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    const name = record['.tag'];
    if (name === undefined) throw new DecodeError(`${where(at)}missing '.tag' key`);
    if (typeof name !== 'string') throw new DecodeError(`${where(at)}'.tag' must be a string`);
    if (!(name in members)) throw new DecodeError(`${where(at)}unknown tag '${name}'`);
    const member = members[name];
    if (member === null || member === undefined) {
      const extra = Object.keys(record).find((k) => k !== '.tag');
      if (extra !== undefined) throw new DecodeError(`${where(at)}unknown field '${extra}'`);
      return { tag: name };
    }
    if (typeof member === 'function') {
      const extra = Object.keys(record).find((k) => k !== '.tag' && k !== name);
      if (extra !== undefined) throw new DecodeError(`${where(at)}unknown field '${extra}'`);
      if (!(name in record)) throw new DecodeError(`${where(at)}missing required field '${name}'`);
      return { tag: name, value: member(record[name], child(at, name)) };
    }
    return { tag: name, value: member.inline(record, at) };
  };
}

/** `%Y-%m-%dT%H:%M:%SZ`, the only timestamp format Dropbox accepts. */
export function timestamp(): Decoder<string> {
  return (value, at) => {
    const text = string()(value, at);
    const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) && !Number.isNaN(Date.parse(text));
    if (!ok) throw new DecodeError(`${where(at)}time data '${text}' does not match format '%Y-%m-%dT%H:%M:%SZ'`);
    return text;
  };
}

/** Parses JSON text; `source` is `request body` or `HTTP header "Dropbox-API-Arg"`. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DecodeError(`${source}: could not decode input as JSON`);
  }
}
