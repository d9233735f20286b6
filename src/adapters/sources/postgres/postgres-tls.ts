import type { ConnectionOptions } from 'node:tls';
import type { SourceTls } from '../../../ports/source.port.ts';
import { createPrivateDir } from '../private-files.ts';
import { writeToolCaFile } from '../tls/tool-ca-file.ts';

/**
 * The `ssl` option of `pg` for one connection attempt; `false` connects in plain text. `prefer`
 * asks for TLS like `require`; falling back to plain text when the server refuses is the caller's
 * part (see `withPostgres`), as node-postgres gives up on a refusal.
 */
export function pgSslOption(tls: SourceTls, attemptTls: boolean): false | ConnectionOptions {
  if (!attemptTls || tls.mode === 'disable') return false;
  if (tls.mode === 'prefer' || tls.mode === 'require') return { rejectUnauthorized: false };
  // Without a pasted CA, Node's default CAs.
  const ca = tls.caCertificate === undefined ? {} : { ca: tls.caCertificate };
  if (tls.mode === 'verify-ca') return { ...ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  // verify-full: pg passes the host to tls.connect, so Node checks names and IP addresses alike.
  return { ...ca, rejectUnauthorized: true };
}

export interface LibpqTls {
  /** `PGSSLMODE`, and `PGSSLROOTCERT` for the verify modes. */
  env: Record<string, string>;
  /** Deletes the CA file; call when the program has ended. Safe to call twice. */
  remove(): Promise<void>;
}

/**
 * TLS settings for pg_dump and psql, through the environment (libpq's sslmode names are ours). For
 * verify-ca / verify-full the trusted CAs go to a private 0600 file under `tempDir`.
 */
export async function libpqTls(tls: SourceTls, tempDir: string): Promise<LibpqTls> {
  if (tls.mode !== 'verify-ca' && tls.mode !== 'verify-full') return { env: { PGSSLMODE: tls.mode }, remove: async () => {} };
  const dir = await createPrivateDir(tempDir, 'dbk-pg-tls-');
  try {
    const rootCert = await writeToolCaFile(dir, tls);
    return { env: { PGSSLMODE: tls.mode, ...(rootCert ? { PGSSLROOTCERT: rootCert } : {}) }, remove: dir.remove };
  } catch (error) {
    await dir.remove();
    throw error;
  }
}
