/**
 * JSON that is safe in an HTTP header: every character at or above U+007F becomes a `\uXXXX`
 * escape (characters outside the BMP are already UTF-16 surrogate pairs in JS strings).
 * Dropbox documents this for `Dropbox-API-Arg`; we emit `Dropbox-API-Result` the same way.
 */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
