import { describe, expect, it } from 'vitest';
import { DecodeError, boolean, field, integer, string, struct, timestamp, union } from './decode.ts';

const mode = union({ add: null, overwrite: null, update: string() });
const arg = struct({ path: field(string()), mode: field(mode, true), limit: field(integer({ min: 1, max: 10 }), true), flag: field(boolean(), true), at: field(timestamp(), true) });

const failure = (value: unknown): string => {
  try {
    arg(value, '');
  } catch (error) {
    if (error instanceof DecodeError) return error.message;
    throw error;
  }
  throw new Error('expected a DecodeError');
};

describe('argument decoders', () => {
  it('accepts compact and long union forms and omits absent optional fields', () => {
    expect(arg({ path: '/a', mode: 'add' }, '')).toEqual({ path: '/a', mode: { tag: 'add' } });
    expect(arg({ path: '/a', mode: { '.tag': 'update', update: 'abc' }, flag: null }, '')).toEqual({ path: '/a', mode: { tag: 'update', value: 'abc' } });
  });

  it('reports problems the way Dropbox words them', () => {
    expect(failure({ path: '/a', root: 1 })).toBe("unknown field 'root'");
    expect(failure({})).toBe("missing required field 'path'");
    expect(failure({ path: null })).toBe("path: 'None' expected to be a string, got null");
    expect(failure({ path: '/a', mode: { update: 'x' } })).toBe("mode: missing '.tag' key");
    expect(failure({ path: '/a', mode: 'update' })).toBe("mode: tag 'update' requires a value");
    expect(failure({ path: '/a', limit: 0 })).toBe('limit: 0 is not greater than or equal to 1');
    expect(failure({ path: '/a', at: '2020-01-01T00:00:00.000Z' })).toBe("at: time data '2020-01-01T00:00:00.000Z' does not match format '%Y-%m-%dT%H:%M:%SZ'");
  });
});
