/**
 * Random bearer tokens (API tokens, session ids) and their at-rest form.
 *
 * Tokens carry 256 random bits, so a plain SHA-256 is the right at-rest hash: it cannot be
 * brute-forced and lookups stay a single indexed equality. Only the hash is stored; the token
 * itself is shown once. A recognisable prefix (`dbk_`, `dbks_`) lets secret scanners and
 * `redact()` spot leaked tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Secret } from './secret.ts';

export const API_TOKEN_PREFIX = 'dbk_';
export const SESSION_TOKEN_PREFIX = 'dbks_';
const TOKEN_BYTES = 32;
const DISPLAY_CHARS = 8;

export interface GeneratedToken {
  /** Give to the user once; never store or log it. */
  token: Secret;
  /** Store this (hex SHA-256) and look tokens up by it. */
  tokenHash: string;
  /** Safe to store and show, e.g. `dbk_AbC123xY`, so users can tell tokens apart. */
  prefix: string;
}

/** A new API token for the REST API and the CLI. */
export function generateApiToken(): GeneratedToken {
  return generateToken(API_TOKEN_PREFIX);
}

/** A new session id for the session cookie. */
export function generateSessionToken(): GeneratedToken {
  return generateToken(SESSION_TOKEN_PREFIX);
}

/** Random URL-safe text with `bytes` of entropy (CSRF tokens, OAuth `state`, PKCE verifiers). */
export function generateRandomToken(bytes = TOKEN_BYTES): string {
  return randomBytes(bytes).toString('base64url');
}

/** The stored form of a token: lowercase hex SHA-256 of its UTF-8 text. */
export function hashToken(token: string | Secret): string {
  const text = typeof token === 'string' ? token : token.reveal();
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** True when `text` looks like an API token (cheap check before a database lookup). */
export function looksLikeApiToken(text: string): boolean {
  return new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`).test(text);
}

function generateToken(prefix: string): GeneratedToken {
  const text = `${prefix}${generateRandomToken()}`;
  return { token: new Secret(text), tokenHash: hashToken(text), prefix: text.slice(0, prefix.length + DISPLAY_CHARS) };
}
