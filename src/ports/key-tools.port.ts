/** Key material operations for encryption profiles, supplied by the crypto adapter. */
export interface KeyTools {
  /** A fresh random 256-bit key. */
  generate(): Uint8Array;
  fingerprint(key: Uint8Array): string;
  /** The text of an exported key file. */
  exportFile(input: { key: Uint8Array; name: string; createdAt: Date }): string;
  /** Parses a key file; throws `invalid_input`/`integrity` with the reason. */
  importFile(text: string): { key: Uint8Array; fingerprint: string; name?: string };
}
