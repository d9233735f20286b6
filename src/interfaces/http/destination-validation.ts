/**
 * Field rules of the destination dialog, shared by the API (authoritative) and the web UI (early
 * feedback). Pure: no Node imports, so Vite can bundle it for the browser.
 */
export type FieldErrors = Record<string, string>;

// Dropbox's sync-ignore list: names Dropbox refuses or silently drops (compared case-insensitively).
const REFUSED_NAMES = new Set(['desktop.ini', 'thumbs.db', '.ds_store', 'icon\r', '.dropbox', '.dropbox.attr']);
// eslint-disable-next-line no-control-regex -- control characters are exactly what Dropbox refuses
const FORBIDDEN_CHARACTERS = /[\\<>:"|?*\u0000-\u001f\u007f]/;

/**
 * Problem with a Dropbox Folder Path, or `undefined` when valid. Empty means the root of the
 * Dropbox (or the app folder); otherwise the path starts with `/`, has no trailing `/`, no empty,
 * `.` or `..` segments, and no segment Dropbox refuses.
 */
export function dropboxFolderPathProblem(path: string): string | undefined {
  if (path === '') return undefined;
  if (!path.startsWith('/')) return 'Start the folder path with "/", e.g. /backups.';
  if (path === '/') return 'Leave the field empty to use the root (or app folder) instead of "/".';
  if (path.endsWith('/')) return 'Remove the trailing "/".';
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return 'The path contains an empty folder name ("//").';
    if (segment === '.' || segment === '..') return `Folder names "." and ".." are not allowed.`;
    if (segment.length > 255) return 'A folder name is longer than 255 characters.';
    if (REFUSED_NAMES.has(segment.toLowerCase())) return `Dropbox refuses the folder name "${segment}".`;
    const bad = FORBIDDEN_CHARACTERS.exec(segment);
    if (bad) return `The folder name "${segment}" contains ${describe(bad[0])}, which Dropbox does not accept.`;
    if (/[ .]$/.test(segment)) return `The folder name "${segment}" ends with a space or dot, which Dropbox does not accept.`;
    if (/^\s/.test(segment)) return `The folder name "${segment}" starts with a space.`;
  }
  return undefined;
}

/** Problem with a local destination path, or `undefined`. Must be absolute and free of `..`. */
export function localPathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'Path is required.';
  if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) return 'Use an absolute path, e.g. /var/backups/dbackup.';
  if (path.split(/[\\/]/).includes('..')) return 'The path must not contain "..".';
  if (path.includes('\0')) return 'The path contains a NUL character.';
  return undefined;
}

export interface DestinationInput {
  type: string;
  name: string;
  config: Record<string, string>;
  /** Secret fields; `''` or missing means "keep the stored value" when editing. */
  secrets: Record<string, string>;
}

/** Secret fields per type (values are never sent back by the API). */
export const SECRET_FIELDS: Record<string, readonly string[]> = {
  dropbox: ['appKey', 'appSecret'],
  local: [],
};

/**
 * Validates a create (`stored` undefined) or an edit (`stored` = which secrets already exist).
 * Returns one message per invalid field, keyed by the field's API name.
 */
export function validateDestination(input: DestinationInput, stored?: Record<string, boolean>): FieldErrors {
  const errors: FieldErrors = {};
  if (input.type !== 'dropbox' && input.type !== 'local') {
    errors.type = 'Choose Dropbox or Local.';
    return errors;
  }
  if (input.name.trim() === '') errors.name = 'Name is required.';
  else if (input.name.length > 100) errors.name = 'Keep the name under 100 characters.';
  if (input.type === 'dropbox') {
    const labels: Record<string, string> = { appKey: 'App Key', appSecret: 'App Secret' };
    for (const field of SECRET_FIELDS.dropbox ?? []) {
      const value = input.secrets[field] ?? '';
      if (value.trim() === '' && !stored?.[field]) errors[field] = `${labels[field]} is required.`;
      else if (/\s/.test(value.trim()) || value.length > 200) errors[field] = `${labels[field]} looks wrong; copy it again from the App Console.`;
    }
    const folderProblem = dropboxFolderPathProblem(input.config.folderPath ?? '');
    if (folderProblem) errors.folderPath = folderProblem;
  } else {
    const pathProblem = localPathProblem(input.config.path ?? '');
    if (pathProblem) errors.path = pathProblem;
  }
  return errors;
}

function describe(character: string): string {
  const code = character.charCodeAt(0);
  return code < 0x20 || code === 0x7f ? 'a control character' : `"${character}"`;
}
