import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isDBackupError } from '../../core/errors.ts';
import { patternBytes, runThrough, seededRandom, transformAll } from './crypto.test-helpers.ts';
import { createDecryptStream } from './decrypt.stream.ts';
import { createEncryptStream } from './encrypt.stream.ts';
import { fingerprintOf } from './encryption-key.ts';

/*
 * An independent, whole-buffer implementation of docs/backup-format.md, written from the document
 * rather than from the stream code. If the streams and this disagree, one of them left the spec.
 */
const MAGIC = 'DBACKENC';
const INFO = 'dbackup encrypted backup v1 chunk key';

function referenceFingerprint(key: Buffer): string {
  return createHash('sha256').update('dbackup key fingerprint v1\0').update(key).digest('hex').slice(0, 32);
}

function referenceNonce(index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 3);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

function referenceHeader(key: Buffer, salt: Buffer, chunkSize: number): Buffer {
  const header = Buffer.alloc(64);
  header.write(MAGIC, 0, 'ascii');
  header[8] = 1;
  header[9] = 1;
  header.writeUInt32BE(chunkSize, 12);
  Buffer.from(referenceFingerprint(key), 'hex').copy(header, 16);
  salt.copy(header, 32);
  return header;
}

interface SealOverride {
  /** Seal chunk `index` with this final flag instead of the correct one. */
  index: number;
  final: boolean;
}

function referenceEncrypt(key: Buffer, salt: Buffer, chunkSize: number, plaintext: Buffer, override?: SealOverride, splitAt?: number[]): Buffer {
  const header = referenceHeader(key, salt, chunkSize);
  const fileKey = Buffer.from(hkdfSync('sha256', key, salt, INFO, 32));
  // Chunk boundaries: every chunkSize bytes, and the last chunk is always shorter (maybe empty).
  const bounds = splitAt ?? [];
  if (!splitAt) for (let at = chunkSize; at <= plaintext.length; at += chunkSize) bounds.push(at);
  const pieces = [0, ...bounds, plaintext.length];
  const out = [header];
  for (let i = 0; i + 1 < pieces.length; i++) {
    const final = override?.index === i ? override.final : i + 2 === pieces.length;
    const cipher = createCipheriv('aes-256-gcm', fileKey, referenceNonce(i, final));
    cipher.setAAD(header);
    out.push(cipher.update(plaintext.subarray(pieces[i], pieces[i + 1])), cipher.final(), cipher.getAuthTag());
  }
  return Buffer.concat(out);
}

function referenceDecrypt(key: Buffer, file: Buffer): Buffer {
  const header = file.subarray(0, 64);
  if (header.subarray(0, 8).toString('ascii') !== MAGIC || header[8] !== 1 || header[9] !== 1) throw new Error('not v1');
  if (header.subarray(16, 32).toString('hex') !== referenceFingerprint(key)) throw new Error('wrong key');
  const chunkSize = header.readUInt32BE(12);
  const fileKey = Buffer.from(hkdfSync('sha256', key, header.subarray(32, 64), INFO, 32));
  const out: Buffer[] = [];
  let position = 64;
  for (let index = 0; ; index++) {
    const final = file.length - position < chunkSize + 16;
    const record = file.subarray(position, position + chunkSize + 16);
    if (record.length < 16) throw new Error('truncated');
    const decipher = createDecipheriv('aes-256-gcm', fileKey, referenceNonce(index, final));
    decipher.setAAD(header);
    decipher.setAuthTag(record.subarray(record.length - 16));
    out.push(decipher.update(record.subarray(0, record.length - 16)));
    decipher.final();
    position += record.length;
    if (final) return Buffer.concat(out);
  }
}

// The worked example in docs/backup-format.md: keep both in sync.
const VECTOR_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const VECTOR_SALT = Buffer.from('202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f', 'hex');
const VECTOR_PLAINTEXT = Buffer.from('Hello from DBackup! This is a test vector.\n', 'utf8');
const VECTOR_FINGERPRINT = 'f1d345132df49e5ec2ce15dc512e5315';
const VECTOR_FILE_HEX = [
  '444241434b454e430101000000000010f1d345132df49e5ec2ce15dc512e5315',
  '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f',
  '0f9e84bb5de3169791170fc74e91ce517e045427eabadc36173034f0d23bc699',
  '76a93bf5dfe2fabe2a71b1f1ef0f481bf7c426852bc89fb5dadeaa1ecb5654fb',
  'a45e7c5bb03443d5c6f31706a4f22ba34bab8c9b9cd33279a58368',
].join('');

describe('backup format v1 (docs/backup-format.md)', () => {
  it('fingerprints a key as SHA-256 over the domain label and key, first 16 bytes', () => {
    expect(fingerprintOf(VECTOR_KEY)).toBe(referenceFingerprint(VECTOR_KEY));
    expect(fingerprintOf(VECTOR_KEY)).toBe(VECTOR_FINGERPRINT);
  });

  it('decrypts the documented test vector, which the reference encoder reproduces byte for byte', async () => {
    const file = Buffer.from(VECTOR_FILE_HEX, 'hex');
    expect(referenceEncrypt(VECTOR_KEY, VECTOR_SALT, 16, VECTOR_PLAINTEXT).toString('hex')).toBe(VECTOR_FILE_HEX);
    const output = await transformAll(createDecryptStream(VECTOR_KEY), file, { random: seededRandom(1), maxPiece: 7 });
    expect(output.equals(VECTOR_PLAINTEXT)).toBe(true);
  });

  it('matches the worked example printed in docs/backup-format.md', () => {
    const doc = readFileSync(new URL('../../../docs/backup-format.md', import.meta.url), 'utf8');
    const block = /The 155-byte file, in hex:\n\n```\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const hex = block.trim().split('\n').map((line) => line.slice(0, 64).trim()).join('');
    expect(hex).toBe(VECTOR_FILE_HEX);
    expect(doc).toContain(`Fingerprint\n\`${VECTOR_FINGERPRINT}\``);
    expect(doc).toContain(deriveVectorFileKey());
  });

  it('writes files the reference decoder reads', async () => {
    for (const [size, chunkSize] of [[0, 16], [16, 16], [1000, 64], [100_000, 4096]] as const) {
      const plaintext = patternBytes(size, size);
      const file = await transformAll(createEncryptStream(VECTOR_KEY, { chunkSize }), plaintext, { random: seededRandom(size), maxPiece: 300 });
      expect(referenceDecrypt(VECTOR_KEY, file).equals(plaintext)).toBe(true);
    }
  });

  it('reads files the reference encoder writes', async () => {
    for (const [size, chunkSize] of [[0, 16], [15, 16], [16, 16], [1000, 64], [100_000, 4096]] as const) {
      const plaintext = patternBytes(size, size + 3);
      const file = referenceEncrypt(VECTOR_KEY, VECTOR_SALT, chunkSize, plaintext);
      expect((await transformAll(createDecryptStream(VECTOR_KEY), file)).equals(plaintext)).toBe(true);
    }
  });

  it('binds the final flag: a short last chunk sealed as "not last" is rejected', async () => {
    const plaintext = patternBytes(40);
    const file = referenceEncrypt(VECTOR_KEY, VECTOR_SALT, 16, plaintext, { index: 2, final: false });
    const { output, error } = await runThrough(createDecryptStream(VECTOR_KEY), file);
    expect(isDBackupError(error, 'integrity')).toBe(true);
    expect(output.equals(plaintext.subarray(0, 32))).toBe(true);
  });

  it('binds the final flag: a full-size chunk sealed as "last" is not accepted as the end of the file', async () => {
    // A writer that ended on a full chunk marked final (which ours never does) is refused.
    const plaintext = patternBytes(32);
    const file = referenceEncrypt(VECTOR_KEY, VECTOR_SALT, 16, plaintext, { index: 1, final: true }, [16]);
    const { error } = await runThrough(createDecryptStream(VECTOR_KEY), file);
    expect(isDBackupError(error, 'integrity')).toBe(true);
  });
});

function deriveVectorFileKey(): string {
  return Buffer.from(hkdfSync('sha256', VECTOR_KEY, VECTOR_SALT, INFO, 32)).toString('hex');
}
