/**
 * Password hashing with scrypt (memory-hard, built into node:crypto).
 *
 * Hash strings follow the PHC string format: `$scrypt$ln=15,r=8,p=3$<salt>$<hash>` (unpadded
 * base64), so parameters travel with each hash and can be raised later without breaking old
 * accounts (`needsRehash`). Defaults N=2^15, r=8, p=3 — one of OWASP's recommended scrypt
 * settings — cost 32 MiB of memory per hash. scrypt runs on the libuv pool, not the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { PasswordHasher } from '../../ports/password-hasher.port.ts';

export interface ScryptParams {
  /** log2 of N, the CPU/memory cost. */
  logN: number;
  /** Block size. */
  r: number;
  /** Parallelisation. */
  p: number;
}

export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { logN: 15, r: 8, p: 3 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export interface ScryptPasswordHasherOptions {
  /** Lower only in tests; production uses the defaults. */
  params?: ScryptParams;
}

export function createScryptPasswordHasher(options: ScryptPasswordHasherOptions = {}): PasswordHasher {
  const params = options.params ?? DEFAULT_SCRYPT_PARAMS;
  let dummy: Promise<string> | undefined;

  const hash = async (password: string): Promise<string> => {
    const salt = randomBytes(SALT_BYTES);
    const derived = await derive(password, salt, params, HASH_BYTES);
    return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(derived)}`;
  };

  return {
    hash,

    async verify(password, stored) {
      if (stored === undefined) {
        dummy ??= hash('dbackup-dummy-password');
        await verifyAgainst(password, await dummy);
        return false;
      }
      return verifyAgainst(password, stored);
    },

    needsRehash(stored) {
      const parsed = parse(stored);
      return parsed === undefined || parsed.params.logN < params.logN || parsed.params.r < params.r || parsed.params.p < params.p;
    },
  };
}

async function verifyAgainst(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === undefined) return false;
  const derived = await derive(password, parsed.salt, parsed.params, parsed.hash.length);
  return derived.length === parsed.hash.length && timingSafeEqual(derived, parsed.hash);
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const m = PHC.exec(stored);
  if (m === null) return undefined;
  const params = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // Refuse absurd parameters from a tampered row instead of allocating gigabytes.
  if (params.logN < 1 || params.logN > 20 || params.r < 1 || params.p < 1 || params.p > 16) return undefined;
  const hash = Buffer.from(m[5]!, 'base64');
  if (hash.length < 16) return undefined;
  return { params, salt: Buffer.from(m[4]!, 'base64'), hash };
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  // Node refuses when 128*N*r exceeds maxmem; give it room for the configured cost.
  const maxmem = 128 * N * params.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, { N, r: params.r, p: params.p, maxmem }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
