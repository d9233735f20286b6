/**
 * Authenticated encryption of small secrets at rest (credentials in the metadata store).
 *
 * `context` names the record and field a value belongs to (e.g. `destinations/<id>/secrets`). It is
 * bound into the ciphertext, so a value copied into another row or field fails to open instead of
 * silently becoming that row's credential.
 */
export interface SecretBox {
  /** Public id of the key in use (see core/config/encryption-key.ts `encryptionKeyId`). */
  readonly keyId: string;

  /** Encrypts `plaintext` for `context`. The result is printable text, safe to store. */
  seal(plaintext: string, context: string): string;

  /**
   * Decrypts what `seal` produced for the same `context`. Throws `integrity` when the value was
   * sealed under another key (the message names both key ids), altered, truncated, or belongs to
   * another context.
   */
  open(sealed: string, context: string): string;

  /** The key id a sealed value claims, without decrypting; `undefined` when it is not one of ours. */
  keyIdOf(sealed: string): string | undefined;
}
