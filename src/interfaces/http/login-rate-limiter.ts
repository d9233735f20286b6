import { DBackupError } from '../../core/errors.ts';
import type { Clock } from '../../ports/clock.port.ts';

export interface LoginRateLimiterOptions {
  clock: Clock;
  /** Failed attempts allowed per window; default 5. */
  maxAttempts?: number;
  /** Default 60 s. */
  windowSeconds?: number;
}

/**
 * Limits login attempts per client address + username (sliding window over failures). Throws
 * `rate_limited` with the seconds to wait when the limit is hit; a successful login clears the
 * key. Memory stays bounded: expired entries are pruned on every call.
 */
export interface LoginRateLimiter {
  /** Call before checking a password; throws `rate_limited` when over the limit. */
  check(ip: string, username: string): void;
  recordFailure(ip: string, username: string): void;
  recordSuccess(ip: string, username: string): void;
}

export function createLoginRateLimiter(options: LoginRateLimiterOptions): LoginRateLimiter {
  const maxAttempts = options.maxAttempts ?? 5;
  const windowMs = (options.windowSeconds ?? 60) * 1000;
  const failures = new Map<string, number[]>();
  const keyOf = (ip: string, username: string) => `${ip}\0${username.trim().toLowerCase()}`;

  function prune(now: number): void {
    for (const [key, times] of failures) {
      const recent = times.filter((time) => now - time < windowMs);
      if (recent.length === 0) failures.delete(key);
      else failures.set(key, recent);
    }
  }

  return {
    check(ip, username) {
      const now = options.clock.now().getTime();
      prune(now);
      const times = failures.get(keyOf(ip, username)) ?? [];
      if (times.length >= maxAttempts) {
        const oldest = times[0] as number;
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
        throw new DBackupError('rate_limited', `Too many failed sign-in attempts. Wait ${retryAfterSeconds} seconds and try again.`, {
          retryAfterSeconds,
        });
      }
    },
    recordFailure(ip, username) {
      const key = keyOf(ip, username);
      failures.set(key, [...(failures.get(key) ?? []), options.clock.now().getTime()]);
    },
    recordSuccess(ip, username) {
      failures.delete(keyOf(ip, username));
    },
  };
}
