import { getCACertificates } from 'node:tls';
import type { SourceTls } from '../../../ports/source.port.ts';
import type { PrivateDir } from '../private-files.ts';

/**
 * Writes the CA certificates a client program must trust for `verify-ca` / `verify-full` into
 * `dir` and returns the file's path; `undefined` for the modes that check no certificate.
 *
 * Without a pasted CA certificate this is the list the drivers trust (Node's default CAs), so the
 * programs and the driver connections accept the same servers; libpq and the MySQL clients would
 * otherwise look for ~/.postgresql/root.crt or use no CA at all.
 */
export async function writeToolCaFile(dir: PrivateDir, tls: SourceTls): Promise<string | undefined> {
  if (tls.mode !== 'verify-ca' && tls.mode !== 'verify-full') return undefined;
  const pem = tls.caCertificate ?? `${getCACertificates('default').join('\n')}\n`;
  return dir.write('ca.pem', pem);
}
