import { createHash, randomBytes } from 'node:crypto';

/** PKCE (RFC 7636) S256 pair: a 86-character verifier and its base64url SHA-256 challenge. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
