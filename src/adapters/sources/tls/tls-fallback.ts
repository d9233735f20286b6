import { isDBackupError } from '../../../core/errors.ts';
import type { SourceTls } from '../../../ports/source.port.ts';

/** A server endpoint's TLS settings, and whether its server already refused TLS once. */
export interface TlsFallbackState {
  tls: SourceTls;
  /** Set after a `prefer` connection fell back: later connections go straight to plain text. */
  tlsRefused: boolean;
}

/** Whether a connection opened, so a failure after it never makes `work` run a second time. */
export interface ConnectionProgress {
  connected: boolean;
}

/**
 * Connects as the TLS mode asks: `disable` never tries TLS, the others do. Under `prefer`, when
 * the server refuses TLS or the handshake fails, the connection is made once more in plain text
 * (as libpq does) — only if it never opened, so the caller's work never runs twice — and later
 * connections of the same endpoint skip TLS. With `require` and the verify modes the refusal is
 * the error.
 */
export async function withTlsFallback<T>(
  endpoint: TlsFallbackState,
  connect: (attemptTls: boolean, progress: ConnectionProgress) => Promise<T>,
): Promise<T> {
  const { mode } = endpoint.tls;
  const attemptTls = mode !== 'disable' && !(mode === 'prefer' && endpoint.tlsRefused);
  const progress: ConnectionProgress = { connected: false };
  try {
    return await connect(attemptTls, progress);
  } catch (error) {
    const refused = isDBackupError(error) && (error.details.reason === 'tls_unsupported' || error.details.reason === 'tls_handshake');
    if (!(mode === 'prefer' && attemptTls && refused && !progress.connected)) throw error;
    endpoint.tlsRefused = true;
    return connect(false, progress);
  }
}
