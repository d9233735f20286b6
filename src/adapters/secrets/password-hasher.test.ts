import { describe, expect, it } from 'vitest';
import { createScryptPasswordHasher, DEFAULT_SCRYPT_PARAMS } from './password-hasher.ts';

// Low cost keeps the suite fast; one test exercises the production parameters.
const fast = createScryptPasswordHasher({ params: { logN: 10, r: 8, p: 1 } });

describe('createScryptPasswordHasher', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await fast.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await fast.verify('correct horse battery staple', stored)).toBe(true);
    expect(await fast.verify('correct horse battery stapl', stored)).toBe(false);
    expect(await fast.verify('', stored)).toBe(false);
  });

  it('salts each hash', async () => {
    expect(await fast.hash('same')).not.toBe(await fast.hash('same'));
  });

  it('treats composed and decomposed unicode as the same password', async () => {
    const stored = await fast.hash('caf\u00e9');
    expect(await fast.verify('cafe\u0301', stored)).toBe(true);
  });

  it('returns false for an unknown user and for malformed or absurd hashes', async () => {
    expect(await fast.verify('anything', undefined)).toBe(false);
    expect(await fast.verify('anything', 'not-a-hash')).toBe(false);
    expect(await fast.verify('anything', '$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
  });

  it('verifies hashes made with other parameters and flags them for rehash', async () => {
    const stored = await fast.hash('pw');
    const current = createScryptPasswordHasher({ params: { logN: 11, r: 8, p: 1 } });
    expect(await current.verify('pw', stored)).toBe(true);
    expect(current.needsRehash(stored)).toBe(true);
    expect(fast.needsRehash(stored)).toBe(false);
  });

  it('works with the production parameters', async () => {
    const hasher = createScryptPasswordHasher();
    const stored = await hasher.hash('pw');
    expect(stored.startsWith(`$scrypt$ln=${DEFAULT_SCRYPT_PARAMS.logN},r=8,p=3$`)).toBe(true);
    expect(await hasher.verify('pw', stored)).toBe(true);
  });
});
