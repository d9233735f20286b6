/**
 * Secrets in memory and in logs.
 *
 * `Secret` wraps a credential (App Secret, refresh token, database password, key material) so it
 * cannot leak by accident: string conversion, `JSON.stringify`, `console.log` and `util.inspect`
 * all print `[redacted]`. Code that truly needs the value calls `reveal()`, which is easy to grep.
 *
 * `redact()` scrubs free text (log lines, error messages from tools) of known secret values and of
 * the usual credential shapes (`password=…`, `Bearer …`, `user:pass@host`, API tokens).
 */
import { timingSafeEqual } from 'node:crypto';

const REDACTED = '[redacted]';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plain value. Call only where the credential is actually used (SDK call, child env). */
  reveal(): string {
    return this.#value;
  }

  /** Constant-time comparison with another secret or plain string. */
  equals(other: Secret | string): boolean {
    const a = Buffer.from(this.#value, 'utf8');
    const b = Buffer.from(typeof other === 'string' ? other : other.reveal(), 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspectSymbol](): string {
    return `Secret(${REDACTED})`;
  }
}

/** Wraps a value that may be absent; handy for optional credentials. */
export function secretOrUndefined(value: string | null | undefined): Secret | undefined {
  return value === null || value === undefined ? undefined : new Secret(value);
}

// Names whose values are credentials. A key matches when it ends with one of these words, so
// `DB_PASSWORD`, `appSecret` and `dropbox_refresh_token` are all caught.
const SENSITIVE =
  '(?:password|passwd|pwd|mysql_pwd|secret|refresh_?token|access_?token|id_?token|api_?token|' +
  'csrf_?token|token|code_?verifier|api_?key|app_?key|encryption_?key|private_?key|authorization)';
const KEY = `[A-Za-z0-9_.-]*${SENSITIVE}`;
const VALUE = '(?!\\[redacted\\])[^\\s&,;"\']+';

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // JSON: "password": "value"
  [new RegExp(`("${KEY}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `$1"${REDACTED}"`],
  // Authorization headers and bearer tokens.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`],
  // URL credentials: scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/gi, `$1:${REDACTED}@`],
  // CLI flags: --password value, --password=value
  [new RegExp(`(--${KEY})(=|\\s+)${VALUE}`, 'gi'), `$1$2${REDACTED}`],
  // key=value (query strings, env dumps) and key: value
  [new RegExp(`\\b(${KEY})(\\s*[=:]\\s*)${VALUE}`, 'gi'), `$1$2${REDACTED}`],
  // DBackup API tokens and session ids (see core/tokens.ts).
  [/\bdbk[a-z]?_[A-Za-z0-9_-]{16,}/g, REDACTED],
];

/**
 * Returns `text` with every known secret value and every credential-shaped substring replaced by
 * `[redacted]`. Pass the secrets in play (e.g. the source password) as `known` for exact removal;
 * the patterns are a safety net, not a guarantee. Values shorter than 4 characters are not
 * searched for (they would shred ordinary words).
 */
export function redact(text: string, known: Iterable<Secret | string | undefined> = []): string {
  let out = text;
  const values: string[] = [];
  for (const item of known) {
    if (item === undefined) continue;
    const value = typeof item === 'string' ? item : item.reveal();
    if (value.length >= 4) values.push(value);
  }
  // Longest first so a secret that contains another is removed whole.
  values.sort((a, b) => b.length - a.length);
  for (const value of values) out = out.split(value).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
