import net from 'node:net';

/** One parsed allowlist entry: a network address and its prefix length. */
export interface CidrBlock {
  /** The entry as an Admin wrote it, trimmed, for messages and storage. */
  text: string;
  family: 4 | 6;
  /** The address as a big-endian bit string value (32 or 128 bits). */
  network: bigint;
  prefix: number;
}

/** Error raised for an entry that is not an IPv4 or IPv6 address or CIDR block. Its message names the entry. */
export class CidrError extends Error {
  constructor(
    message: string,
    readonly entry: string,
  ) {
    super(message);
    this.name = 'CidrError';
  }
}

const IPV4_OCTET = /^(0|[1-9]\d{0,2})$/;

/** Parses a dotted IPv4 address without leading zeros. Returns null when malformed. */
function ipv4Value(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** Expands an IPv6 address, an embedded IPv4 tail included, to its 128-bit value; null when malformed. */
function ipv6Value(text: string): bigint | null {
  if (!net.isIPv6(text) || text.includes('%')) return null;

  let expanded = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 tail becomes its two 16-bit groups.
    const v4 = ipv4Value(tail);
    if (v4 === null) return null;
    expanded = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }

  const halves = expanded.split('::');
  if (halves.length > 2) return null;
  const splitGroups = (part: string | undefined) => (part ? part.split(':').filter((group) => group !== '') : []);
  const left = splitGroups(halves[0]);
  const right = splitGroups(halves[1]);
  const elided = 8 - left.length - right.length;
  const compressed = halves.length === 2;
  if (compressed ? elided < 1 : elided !== 0) return null;

  let value = 0n;
  for (const group of [...left, ...Array<string>(compressed ? elided : 0).fill('0'), ...right]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** The upper 96 bits of an IPv4-mapped IPv6 address (`::ffff:0:0/96`). */
const MAPPED_PREFIX = 0xffffn;

/**
 * Parses one IP address (no prefix, no port, no zone) in canonical form:
 * IPv4 without leading zeros, or IPv6. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`) becomes the IPv4 address, so one rule matches both
 * forms a dual-stack socket reports. Returns null when malformed.
 */
export function parseAddress(text: string): { family: 4 | 6; value: bigint } | null {
  const v4 = ipv4Value(text);
  if (v4 !== null) return { family: 4, value: v4 };

  const v6 = ipv6Value(text);
  if (v6 === null) return null;
  if (v6 >> 32n === MAPPED_PREFIX) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

/** Formats an address value: dotted IPv4, or IPv6 with the longest run of zero groups compressed as RFC 5952 recommends. */
function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }

  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  let longest = { start: -1, length: 1 };
  for (let start = 0; start < 8; ) {
    let end = start;
    while (end < 8 && groups[end] === '0') end += 1;
    if (end - start > longest.length) longest = { start, length: end - start };
    start = end === start ? start + 1 : end;
  }
  if (longest.start < 0) return groups.join(':');
  return `${groups.slice(0, longest.start).join(':')}::${groups.slice(longest.start + longest.length).join(':')}`;
}

/** Normalises an address to the form the allowlist compares and the log shows, mapped IPv6 as IPv4. Returns null when malformed. */
export function normaliseAddress(text: string): string | null {
  const parsed = parseAddress(text);
  return parsed ? formatAddress(parsed.family, parsed.value) : null;
}

/** Parses one entry: an address (a single host) or `address/prefix`. Raises CidrError naming the entry. */
export function parseCidr(entry: string): CidrBlock {
  const text = entry.trim();
  const [addressText = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) throw new CidrError(`${JSON.stringify(entry)} is not a CIDR block: more than one "/"`, entry);
  const address = parseAddress(addressText);
  if (!address) {
    throw new CidrError(`${JSON.stringify(entry)} is not an IPv4 or IPv6 address or CIDR block, such as 192.0.2.0/24 or 2001:db8::/32`, entry);
  }
  const bits = address.family === 4 ? 32 : 128;
  // A prefix written for the IPv6 form of a mapped address counts within its last 32 bits.
  const mapped = address.family === 4 && addressText.includes(':');
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
      throw new CidrError(`${JSON.stringify(entry)} has an invalid prefix length; expected a whole number without leading zeros`, entry);
    }
    const written = Number(prefixText);
    const limit = mapped ? 128 : bits;
    if (written > limit) throw new CidrError(`${JSON.stringify(entry)} has a prefix length above ${limit}`, entry);
    if (mapped && written < 96) throw new CidrError(`${JSON.stringify(entry)} reaches beyond the IPv4-mapped range; use a prefix of 96 or more`, entry);
    prefix = mapped ? written - 96 : written;
  }
  const hostBits = BigInt(bits - prefix);
  const network = (address.value >> hostBits) << hostBits;
  if (network !== address.value) {
    throw new CidrError(`${JSON.stringify(entry)} has host bits set; the network address is ${formatAddress(address.family, network)}/${prefix}`, entry);
  }
  return { text, family: address.family, network, prefix };
}

/** Parses a whole list and raises CidrError for the first malformed entry. Blank entries are skipped. */
export function parseCidrList(entries: readonly string[]): CidrBlock[] {
  return entries.filter((entry) => entry.trim() !== '').map(parseCidr);
}

/** True when the address lies in the block. */
export function blockContains(block: CidrBlock, address: string): boolean {
  const parsed = parseAddress(address);
  if (!parsed || parsed.family !== block.family) return false;
  const hostBits = BigInt((block.family === 4 ? 32 : 128) - block.prefix);
  return parsed.value >> hostBits === block.network >> hostBits;
}

/**
 * True when the address may connect: an empty list allows every address
 * (the console warns about it), otherwise the address must lie in one of the
 * blocks. A malformed address is never allowed by a non-empty list.
 */
export function isAllowed(address: string, list: readonly CidrBlock[]): boolean {
  if (list.length === 0) return true;
  return list.some((block) => blockContains(block, address));
}
