import { X509Certificate } from 'node:crypto';
import type { SourceTls, TlsMode } from '../../ports/source.port.ts';
import { DBackupError } from '../errors.ts';

/**
 * The TLS settings of a server source: how they are checked when entered and how they are kept in
 * the source record's `options` (`sslmode`, libpq's name, and `caCertificate`, the PEM text).
 */
export const TLS_MODES: readonly TlsMode[] = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** Keeps what sources did before TLS settings existed: TLS when the server offers it. */
export const DEFAULT_TLS_MODE: TlsMode = 'prefer';

/** Provider bundles (e.g. every regional CA of a cloud) are a few hundred KiB at most. */
const MAX_CA_CERTIFICATE_CHARS = 1024 * 1024;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

export function isTlsMode(value: unknown): value is TlsMode {
  return typeof value === 'string' && (TLS_MODES as readonly string[]).includes(value);
}

export function verifiesCertificate(mode: TlsMode): boolean {
  return mode === 'verify-ca' || mode === 'verify-full';
}

/**
 * The TLS settings kept in a source record's options; none stored means `prefer`. Throws
 * `invalid_input` for a mode this version does not know (an edited or newer record), rather than
 * guessing a weaker one.
 */
export function tlsOfOptions(options: Record<string, unknown>): SourceTls {
  const mode = options.sslmode ?? DEFAULT_TLS_MODE;
  if (!isTlsMode(mode)) {
    throw new DBackupError('invalid_input', `The source's stored TLS mode "${String(mode)}" is unknown. Edit the source and choose a TLS mode.`, {
      details: { fields: { tlsMode: 'Choose a TLS mode.' } },
    });
  }
  const ca = options.caCertificate;
  return typeof ca === 'string' && ca !== '' && verifiesCertificate(mode) ? { mode, caCertificate: ca } : { mode };
}

/** `options` with its TLS settings replaced by `tls` (other options are kept). */
export function withTlsOptions(options: Record<string, unknown>, tls: SourceTls): Record<string, unknown> {
  const { sslmode: _mode, caCertificate: _ca, ...rest } = options;
  return { ...rest, sslmode: tls.mode, ...(tls.caCertificate !== undefined ? { caCertificate: tls.caCertificate } : {}) };
}

/**
 * What is wrong with pasted CA certificate text, said for the form; `undefined` when it holds one
 * or more PEM certificates that parse. Text around the blocks (comments in provider bundles) is
 * allowed, as OpenSSL and Node.js skip it too.
 */
export function caCertificateProblem(text: string): string | undefined {
  if (text.length > MAX_CA_CERTIFICATE_CHARS) return 'This is too long for a CA certificate (at most 1 MiB of text).';
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) {
    return 'Paste the CA certificate in PEM format: the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, both lines included.';
  }
  for (const [index, block] of blocks.entries()) {
    const which = blocks.length === 1 ? 'The pasted text' : `Block ${index + 1} of ${blocks.length}`;
    const label = block[1] ?? '';
    if (label.includes('PRIVATE KEY')) return `${which} is a private key. Paste the CA certificate (-----BEGIN CERTIFICATE-----), never a key.`;
    if (label !== 'CERTIFICATE') return `${which} is a ${label}, not a certificate. Paste only the CA certificate (-----BEGIN CERTIFICATE-----).`;
    try {
      new X509Certificate(block[0]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `${which} is not a valid certificate (${reason}). Paste the CA certificate file exactly as your provider publishes it.`;
    }
  }
  return undefined;
}
