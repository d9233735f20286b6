/** One-way hashing of account passwords with a memory-hard KDF. */
export interface PasswordHasher {
  /** A self-describing hash string (algorithm, parameters, salt, hash) to store as is. */
  hash(password: string): Promise<string>;

  /**
   * True when `password` matches `stored`. Runs in constant time for a given hash. Pass `undefined`
   * for an unknown user: a dummy hash is checked so the response time does not reveal whether
   * the account exists. A malformed `stored` value returns false (never throws).
   */
  verify(password: string, stored: string | undefined): Promise<boolean>;

  /** True when `stored` uses weaker parameters than current ones; rehash after a good login. */
  needsRehash(stored: string): boolean;
}
