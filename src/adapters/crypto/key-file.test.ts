import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DBackupError } from '../../core/errors.ts';
import { fingerprintOf, generateEncryptionKey } from './encryption-key.ts';
import { parseKeyFile, serializeKeyFile } from './key-file.ts';

function errorOf(work: () => unknown): DBackupError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(DBackupError);
    return error as DBackupError;
  }
  throw new Error('expected an error');
}

describe('profile keys and fingerprints', () => {
  it('generates distinct 32-byte keys', () => {
    const a = generateEncryptionKey();
    const b = generateEncryptionKey();
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
  });

  it('gives a stable 32-hex-character fingerprint that is not a plain hash of the key', () => {
    const key = generateEncryptionKey();
    const fingerprint = fingerprintOf(key);
    expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintOf(Buffer.from(key))).toBe(fingerprint);
    expect(fingerprint).not.toBe(createHash('sha256').update(key).digest('hex').slice(0, 32));
    expect(fingerprintOf(generateEncryptionKey())).not.toBe(fingerprint);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(errorOf(() => fingerprintOf(randomBytes(31))).code).toBe('invalid_input');
    expect(errorOf(() => fingerprintOf('secret' as unknown as Uint8Array)).message).toMatch(/exactly 32 bytes \(got string\)/);
  });
});

describe('key files', () => {
  const key = generateEncryptionKey();

  it('round-trips through the JSON key file with name and fingerprint', () => {
    const text = serializeKeyFile({ key, name: 'Nightly prod', createdAt: new Date('2024-01-15T12:00:00Z') });
    expect(text.endsWith('\n')).toBe(true);
    const document = JSON.parse(text) as Record<string, unknown>;
    expect(document).toMatchObject({ format: 'dbackup-key', version: 1, name: 'Nightly prod', fingerprint: fingerprintOf(key), key: key.toString('base64') });
    const parsed = parseKeyFile(text);
    expect(parsed.key.equals(key)).toBe(true);
    expect(parsed).toMatchObject({ fingerprint: fingerprintOf(key), name: 'Nightly prod', createdAt: '2024-01-15T12:00:00.000Z', encoding: 'json' });
  });

  it('accepts a bare hex key, upper or lower case, with surrounding whitespace and a BOM', () => {
    for (const text of [key.toString('hex'), `${key.toString('hex').toUpperCase()}\r\n`, `\uFEFF  ${key.toString('hex')}\n\n`]) {
      const parsed = parseKeyFile(text);
      expect(Buffer.from(parsed.key).equals(key)).toBe(true);
      expect(parsed.encoding).toBe('hex');
    }
  });

  it('accepts a bare base64 key in the standard or URL alphabet, padded or not', () => {
    const standard = key.toString('base64');
    for (const text of [standard, standard.replace(/=$/, ''), key.toString('base64url'), `${key.toString('base64url')}=\n`]) {
      const parsed = parseKeyFile(text);
      expect(Buffer.from(parsed.key).equals(key), text).toBe(true);
      expect(parsed.fingerprint).toBe(fingerprintOf(key));
    }
  });

  it('rejects a base64 key whose last character was mistyped in the ignored low bits', () => {
    // 43 characters carry 258 bits; the last character's low 2 bits must be zero.
    const standard = key.toString('base64').replace(/=$/, '');
    const last = standard.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sloppy = standard.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1]; // differs only in an ignored bit
    expect(errorOf(() => parseKeyFile(sloppy)).code).toBe('invalid_input');
  });

  it('explains what is wrong with files that hold no usable key', () => {
    expect(errorOf(() => parseKeyFile('   \n')).message).toMatch(/empty/);
    expect(errorOf(() => parseKeyFile('not a key')).message).toMatch(/neither a DBackup key file/);
    expect(errorOf(() => parseKeyFile(randomBytes(31).toString('hex'))).code).toBe('invalid_input');
    expect(errorOf(() => parseKeyFile('{"format": "dbackup-key",')).message).toMatch(/cannot be parsed/);
    expect(errorOf(() => parseKeyFile('{"format": "something-else"}')).message).toMatch(/not a DBackup key file/);
    expect(errorOf(() => parseKeyFile('{"format": "dbackup-key", "version": 2}')).message).toMatch(/version 2/);
    expect(errorOf(() => parseKeyFile('{"format": "dbackup-key", "version": 1}')).message).toMatch(/no "key" field/);
    expect(errorOf(() => parseKeyFile('{"format": "dbackup-key", "version": 1, "key": "abc"}')).message).toMatch(/not a base64-encoded 32-byte key/);
    expect(errorOf(() => parseKeyFile('x'.repeat(70_000))).message).toMatch(/not a backup|key files are well under/);
  });

  it('rejects a key file whose fingerprint does not match its key as damaged (integrity)', () => {
    const document = JSON.parse(serializeKeyFile({ key, name: 'p' })) as Record<string, unknown>;
    document.key = generateEncryptionKey().toString('base64');
    const error = errorOf(() => parseKeyFile(JSON.stringify(document)));
    expect(error.code).toBe('integrity');
    expect(error.message).toContain(fingerprintOf(key));
  });
});
