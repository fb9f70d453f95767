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
    if (realIp.includes(',')) return { ok: false, reason: 'X-Real-IP contains more than one address' };
    realAddress = normaliseAddress(realIp.trim());
    if (realAddress === null) return { ok: false, reason: 'X-Real-IP is not a plain IP address' };
  }

  if (forwardedFor !== null) {
    const chain: string[] = [];
    for (const element of forwardedFor.split(',')) {
      const address = normaliseAddress(element.trim());
      if (address === null) return { ok: false, reason: 'X-Forwarded-For contains an entry that is not a plain IP address' };
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

/**
 * Request header in which server.ts passes the connection's peer address and
 * forwarding headers to Next.js, so a settings change can work out the
 * caller's address under new trusted proxies before saving them.
 */
export const CLIENT_CONNECTION_HEADER = 'x-pm-client-connection';

/** The facts a client address is resolved from, as the socket received them. */
export interface ClientConnection {
  peer: string;
  forwardedFor: string | null;
  realIp: string | null;
}

/** Encodes the connection facts for CLIENT_CONNECTION_HEADER; URI encoding keeps any header byte valid. */
export function encodeClientConnection(connection: ClientConnection): string {
  return encodeURIComponent(JSON.stringify(connection));
}

/** Decodes CLIENT_CONNECTION_HEADER; returns null when it is absent or damaged. */
export function decodeClientConnection(value: string | null): ClientConnection | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(decodeURIComponent(value)) as Partial<ClientConnection>;
    const optional = (field: unknown) => (typeof field === 'string' ? field : null);
    return typeof parsed.peer === 'string' ? { peer: parsed.peer, forwardedFor: optional(parsed.forwardedFor), realIp: optional(parsed.realIp) } : null;
  } catch {
    return null;
  }
}

/** Resolves the client address of recorded connection facts under the given trusted proxies. */
export function resolveConnectionAddress(connection: ClientConnection, trustedProxies: readonly CidrBlock[]): ClientAddressResult {
  const headers: Record<string, string> = {};
  if (connection.forwardedFor !== null) headers['x-forwarded-for'] = connection.forwardedFor;
  if (connection.realIp !== null) headers['x-real-ip'] = connection.realIp;
  return resolveClientAddress({ peer: connection.peer, headers, trustedProxies });
}
