import { DecodeError, string, type Decoder } from '../http/decode.ts';

/**
 * Path arguments as Dropbox accepts them. Pattern failures and a root given as "/" are 400s
 * (DecodeError); structurally bad paths (empty component, trailing slash or whitespace other than
 * "\r" — `Icon\r` must reach the disallowed-name check —, "." or
 * "..", a component over 255 characters) decode to `malformed` so routes can answer 409
 * `malformed_path` like Dropbox.
 */
export type PathArg =
  | { kind: 'root' }
  | { kind: 'path'; parts: string[] }
  | { kind: 'id'; id: string }
  | { kind: 'rev'; rev: string }
  | { kind: 'ns'; value: string }
  | { kind: 'malformed' };

export const MAX_NAME_LENGTH = 255;

/** Sync-ignored names that Dropbox refuses on write (compared case-insensitively). */
const DISALLOWED_NAMES = new Set(['.dropbox', '.dropbox.attr', 'desktop.ini', 'thumbs.db', '.ds_store', 'icon\r']);

export function isDisallowedName(name: string): boolean {
  return DISALLOWED_NAMES.has(name.toLowerCase());
}

function splitPath(raw: string): PathArg {
  const parts = raw.slice(1).split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..' || /[^\S\r]$/.test(part) || part.length > MAX_NAME_LENGTH || part.includes('\0')) {
      return { kind: 'malformed' };
    }
  }
  return { kind: 'path', parts };
}

type PathKind = 'list' | 'read' | 'write' | 'write_or_id';

const PATTERNS: Record<PathKind, { re: RegExp; text: string }> = {
  list: { re: /^((\/(.|[\r\n])*)?|id:.*|(ns:[0-9]+(\/.*)?))$/s, text: '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)' },
  read: { re: /^((\/(.|[\r\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(\/.*)?))$/s, text: '(/(.|[\\r\\n])*|id:.*)|(rev:[0-9a-f]{9,})|(ns:[0-9]+(/.*)?)' },
  write: { re: /^((\/(.|[\r\n])*)|(ns:[0-9]+(\/.*)?))$/s, text: '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)' },
  write_or_id: { re: /^((\/(.|[\r\n])*)|(ns:[0-9]+(\/.*)?)|(id:.*))$/s, text: '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)|(id:.*)' },
};

/** Decoder of a path argument of the given stone type (`list` = PathROrId, `read` = ReadPath, ...). */
export function pathArg(kind: PathKind): Decoder<PathArg> {
  return (value, at) => {
    const prefix = at === '' ? '' : `${at}: `;
    const raw = string()(value, at);
    if (raw === '/') {
      throw new DecodeError(kind === 'list'
        ? `${prefix}Specify the root folder as an empty string rather than as "/".`
        : `${prefix}The root folder is unsupported.`);
    }
    if (raw === '' && kind !== 'list') throw new DecodeError(`${prefix}The root folder is unsupported.`);
    const pattern = PATTERNS[kind];
    if (!pattern.re.test(raw)) throw new DecodeError(`${prefix}'${raw}' did not match pattern '${pattern.text}'`);
    if (raw === '') return { kind: 'root' };
    if (raw.startsWith('/')) return splitPath(raw);
    if (raw.startsWith('id:')) return { kind: 'id', id: raw };
    if (raw.startsWith('rev:')) return { kind: 'rev', rev: raw.slice(4) };
    return { kind: 'ns', value: raw };
  };
}
