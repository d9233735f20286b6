/**
 * Record ids: UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits. Text on every
 * database, unique without coordination (several nodes can insert), and roughly time-ordered so
 * new rows land at the end of primary-key indexes.
 */
import { randomBytes } from 'node:crypto';

export function newId(nowMs: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
