import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redact } from './secret.ts';
import { generateApiToken, generateRandomToken, generateSessionToken, hashToken, looksLikeApiToken } from './tokens.ts';

describe('token generator', () => {
  it('makes an API token whose stored form is its SHA-256 and whose prefix is displayable', () => {
    const { token, tokenHash, prefix } = generateApiToken();
    const text = token.reveal();
    expect(looksLikeApiToken(text)).toBe(true);
    expect(tokenHash).toBe(createHash('sha256').update(text).digest('hex'));
    expect(hashToken(token)).toBe(tokenHash);
    expect(prefix).toBe(text.slice(0, 12));
    expect(prefix.startsWith('dbk_')).toBe(true);
    expect(String(token)).toBe('[redacted]');
  });

  it('makes distinct session tokens that redact() recognises', () => {
    const a = generateSessionToken();
    const b = generateSessionToken();
    expect(a.token.reveal()).not.toBe(b.token.reveal());
    expect(a.token.reveal().startsWith('dbks_')).toBe(true);
    expect(redact(`cookie ${a.token.reveal()} seen`)).toBe('cookie [redacted] seen');
  });

  it('makes URL-safe random tokens of the requested entropy', () => {
    expect(generateRandomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateRandomToken(64)).toMatch(/^[A-Za-z0-9_-]{86}$/);
  });

  it('rejects things that are not API tokens', () => {
    expect(looksLikeApiToken('dbk_short')).toBe(false);
    expect(looksLikeApiToken(`x${generateApiToken().token.reveal()}`)).toBe(false);
  });
});
