/**
 * The client's address for per-client limits (sign-in attempts). Behind reverse proxies every
 * request comes from the nearest proxy, so with `trustedProxies` = N the address is taken from
 * `X-Forwarded-For`: the entry N hops back from the socket's peer, i.e. the address the outermost
 * trusted proxy saw. Entries further left were written by the client and are not believed. With
 * N = 0 (the default) the header is ignored: anyone could send it.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: number): string {
  const peer = socketAddress ?? 'unknown';
  if (trustedProxies <= 0 || forwardedFor === undefined) return peer;
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // The chain as seen from here: what the client claimed, each proxy's peer, then our own peer.
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedProxies)] ?? peer;
}
