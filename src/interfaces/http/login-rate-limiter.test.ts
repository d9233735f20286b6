import { describe, expect, it } from 'vitest';
import { isDBackupError } from '../../core/errors.ts';
import { createLoginRateLimiter } from './login-rate-limiter.ts';

function fakeClock(start = 0) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('login rate limiter', () => {
  it('blocks the sixth failure within a minute, per address and username, and recovers', () => {
    const clock = fakeClock();
    const limiter = createLoginRateLimiter({ clock });
    for (let i = 0; i < 5; i++) {
      limiter.check('1.1.1.1', 'admin');
      limiter.recordFailure('1.1.1.1', 'Admin');
    }
    let error: unknown;
    try {
      limiter.check('1.1.1.1', 'admin');
    } catch (caught) {
      error = caught;
    }
    expect(isDBackupError(error, 'rate_limited')).toBe(true);
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBe(60);
    expect(() => limiter.check('2.2.2.2', 'admin')).not.toThrow();
    expect(() => limiter.check('1.1.1.1', 'other')).not.toThrow();
    clock.advance(60_001);
    expect(() => limiter.check('1.1.1.1', 'admin')).not.toThrow();
  });

  it('clears the count after a successful login', () => {
    const limiter = createLoginRateLimiter({ clock: fakeClock(), maxAttempts: 2 });
    limiter.recordFailure('ip', 'u');
    limiter.recordFailure('ip', 'u');
    expect(() => limiter.check('ip', 'u')).toThrow(/Too many failed sign-in attempts/);
    limiter.recordSuccess('ip', 'u');
    expect(() => limiter.check('ip', 'u')).not.toThrow();
  });
});
