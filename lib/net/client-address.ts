import { isAllowed, normaliseAddress, type CidrBlock } from './ip-allowlist';

/** Request header in which server.ts passes the resolved client address to Next.js. */
export const CLIENT_ADDRESS_HEADER = 'x-pm-client-address';

/** The client address of a connection, or why the forwarded headers were refused. */
export type ClientAddressResult = { ok: true; address: string } | { ok: false; reason: string };

type HeaderValue = string | string[] | undefined;

/** Joins repeated header lines the way HTTP defines it, with a comma. */
function joined(value: HeaderValue): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Works out the client address of a request. The forwarding headers
 * (X-Forwarded-For, X-Real-IP) are read only when the direct peer is a trusted
 * proxy; otherwise anyone could claim any address. Behind a trusted proxy the
 * X-Forwarded-For chain is read from the right and the first address that is
 * not a trusted proxy is the client, because only the entries the trusted
 * proxies appended can be believed; X-Real-IP is used when X-Forwarded-For is
 * absent. A malformed entry (a port, leading zeros, brackets, an empty
 * element, a comma in X-Real-IP) refuses the request instead of being guessed
 * around. Addresses come back normalised: IPv4-mapped IPv6 as IPv4.
 */
export function resolveClientAddress(input: {
  peer: string | undefined;
  headers: Record<string, HeaderValue>;
  trustedProxies: readonly CidrBlock[];
}): ClientAddressResult {
  const peer = normaliseAddress(input.peer ?? '');
  if (peer === null) return { ok: false, reason: 'the connection has no usable peer address' };
  if (input.trustedProxies.length === 0 || !isAllowed(peer, input.trustedProxies)) {
    return { ok: true, address: peer };
  }

  const forwardedFor = joined(input.headers['x-forwarded-for']);
  const realIp = joined(input.headers['x-real-ip']);

  let realAddress: string | null = null;
  if (realIp !== null) {
    if (realIp.includes(',')) return { ok: false, reason: 'X-Real-IP holds more than one address' };
    realAddress = normaliseAddress(realIp.trim());
    if (realAddress === null) return { ok: false, reason: 'X-Real-IP is not a plain IP address' };
  }

  if (forwardedFor !== null) {
    const chain: string[] = [];
    for (const element of forwardedFor.split(',')) {
      const address = normaliseAddress(element.trim());
      if (address === null) return { ok: false, reason: 'X-Forwarded-For holds an entry that is not a plain IP address' };
      chain.push(address);
    }
    chain.push(peer);
    for (let index = chain.length - 1; index >= 0; index -= 1) {
      const address = chain[index]!;
      if (!isAllowed(address, input.trustedProxies)) return { ok: true, address };
    }
    // Every hop is a trusted proxy: the leftmost one started the request.
    return { ok: true, address: chain[0]! };
  }

  return { ok: true, address: realAddress ?? peer };
}
