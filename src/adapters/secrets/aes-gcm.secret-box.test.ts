import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptionKeyId } from '../../core/config/encryption-key.ts';
import { DBackupError } from '../../core/errors.ts';
import { createAesGcmSecretBox } from './aes-gcm.secret-box.ts';

function errorOf(fn: () => unknown): DBackupError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DBackupError) return error;
    throw error;
  }
  throw new Error('expected a DBackupError');
}

describe('createAesGcmSecretBox', () => {
  const key = randomBytes(32);
  const box = createAesGcmSecretBox(key);

  it('round-trips unicode text and prefixes the version and key id', () => {
    const sealed = box.seal('sl.refresh-tökén ✓', 'destinations/d1/secrets');
    expect(sealed).toMatch(new RegExp(`^v1:${encryptionKeyId(key)}:[A-Za-z0-9_-]+$`));
    expect(sealed).not.toContain('refresh');
    expect(box.open(sealed, 'destinations/d1/secrets')).toBe('sl.refresh-tökén ✓');
    expect(box.keyIdOf(sealed)).toBe(box.keyId);
  });

  it('uses a fresh nonce per value', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses a ciphertext moved to another record or field', () => {
    const sealed = box.seal('password', 'sources/s1/password');
    const error = errorOf(() => box.open(sealed, 'sources/s2/password'));
    expect(error.code).toBe('integrity');
    expect(error.message).toContain('altered or copied from another record');
  });

  it('refuses tampered and truncated values', () => {
    const sealed = box.seal('password', 'c');
    const body = Buffer.from(sealed.split(':')[2]!, 'base64url');
    body[body.length - 20]! ^= 1;
    const tampered = `v1:${box.keyId}:${body.toString('base64url')}`;
    expect(errorOf(() => box.open(tampered, 'c')).code).toBe('integrity');
    expect(errorOf(() => box.open(sealed.slice(0, 30), 'c')).message).toContain('truncated');
    expect(errorOf(() => box.open('plain text', 'c')).message).toContain('not in a format');
  });

  it('names both key ids when the value was sealed under another key', () => {
    const other = createAesGcmSecretBox(randomBytes(32));
    const error = errorOf(() => box.open(other.seal('x', 'c'), 'c'));
    expect(error.code).toBe('integrity');
    expect(error.message).toContain(`key id ${other.keyId}`);
    expect(error.message).toContain(`key id ${box.keyId}`);
  });

  it('refuses keys of the wrong length', () => {
    expect(errorOf(() => createAesGcmSecretBox(randomBytes(31))).code).toBe('invalid_input');
  });
});
