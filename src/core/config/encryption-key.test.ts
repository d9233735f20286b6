import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptionKeyId, formatEncryptionKey, parseEncryptionKey } from './encryption-key.ts';

describe('parseEncryptionKey', () => {
  const key = randomBytes(32);

  it.each([
    ['hex', key.toString('hex')],
    ['upper-case hex', key.toString('hex').toUpperCase()],
    ['base64', key.toString('base64')],
    ['base64 without padding', key.toString('base64').replace(/=+$/, '')],
    ['base64url', key.toString('base64url')],
    ['hex with surrounding whitespace', `  ${key.toString('hex')}\n`],
  ])('accepts %s', (_label, text) => {
    expect(parseEncryptionKey(text).equals(key)).toBe(true);
  });

  it.each([
    [randomBytes(31).toString('base64'), 'got 31 bytes'],
    [randomBytes(33).toString('base64'), 'got 33 bytes'],
    [randomBytes(31).toString('hex'), 'got 62 hex characters (31 bytes)'],
    ['abc', 'got 3 hex characters (an odd number of digits)'],
    ['', 'it is empty'],
    ['not a key!', 'it contains " ", which is neither hex nor base64'],
  ])('refuses %j saying %s', (text, detail) => {
    expect(() => parseEncryptionKey(text)).toThrow(
      `ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64; ${detail}`,
    );
  });

  it('names the given source in messages', () => {
    expect(() => parseEncryptionKey('00', '--new-key')).toThrow(/^--new-key must be 32 bytes/);
  });
});

describe('encryptionKeyId / formatEncryptionKey', () => {
  it('is stable per key, differs between keys and does not contain the key', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(encryptionKeyId(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(encryptionKeyId(a)).toBe(encryptionKeyId(Buffer.from(a)));
    expect(encryptionKeyId(a)).not.toBe(encryptionKeyId(b));
    expect(formatEncryptionKey(a)).toBe(a.toString('hex'));
    expect(formatEncryptionKey(a)).not.toContain(encryptionKeyId(a));
  });
});
