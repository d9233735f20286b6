import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-address.ts';

describe('clientAddress', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.7', 0)).toBe('10.0.0.5');
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown');
  });

  it('takes the address the outermost trusted proxy saw', () => {
    // client 203.0.113.7 → proxy 10.0.0.5 → DBackup
    expect(clientAddress('10.0.0.5', '203.0.113.7', 1)).toBe('203.0.113.7');
    // client → CDN 198.51.100.2 → proxy 10.0.0.5 → DBackup, two trusted hops
    expect(clientAddress('10.0.0.5', '203.0.113.7, 198.51.100.2', 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.5', ['203.0.113.7', '198.51.100.2'], 2)).toBe('203.0.113.7');
  });

  it('does not believe entries the client wrote itself', () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the one trusted proxy appended the real address.
    expect(clientAddress('10.0.0.5', '1.2.3.4, 203.0.113.7', 1)).toBe('203.0.113.7');
  });

  it('falls back to the leftmost entry, or the peer, when the chain is shorter than the trusted hops', () => {
    expect(clientAddress('10.0.0.5', '203.0.113.7', 3)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.5', undefined, 1)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', ' , ', 1)).toBe('10.0.0.5');
  });
});
