import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** Host names split by the subjectAltName entry type they need. */
export interface HostNameSet {
  /** Lowercase DNS names without a trailing dot. */
  dnsNames: string[];
  /** IPv4 and IPv6 addresses in canonical text form (IPv6 compressed, lowercase). */
  ipAddresses: string[];
}

const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DNS_NAME = new RegExp(`^(?:\\*\\.)?${DNS_LABEL}(?:\\.${DNS_LABEL})*$`);

/**
 * Sorts host names into DNS names and IP addresses, normalising and de-duplicating them.
 * Accepts IPv6 addresses with or without brackets. Throws on an empty list, an IPv6 zone
 * id, or a name that is neither an IP address nor a valid DNS name, because such a name
 * cannot appear in a certificate's subjectAltName.
 */
export function parseHostNames(hostNames: readonly string[]): HostNameSet {
  const dnsNames = new Set<string>();
  const ipAddresses = new Set<string>();

  for (const raw of hostNames) {
    const name = raw.trim().replace(/^\[(.*)\]$/, '$1');

    if (isIP(name) !== 0) {
      ipAddresses.add(canonicalIpAddress(name));
      continue;
    }

    const dnsName = name.toLowerCase().replace(/\.$/, '');
    if (dnsName.length === 0 || dnsName.length > 253 || !DNS_NAME.test(dnsName)) {
      throw new Error(
        `Invalid host name "${raw}" for the web certificate: expected a DNS name, an IPv4 or an IPv6 address`,
      );
    }
    dnsNames.add(dnsName);
  }

  if (dnsNames.size === 0 && ipAddresses.size === 0) {
    throw new Error('The web certificate needs at least one host name');
  }

  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/** Returns the WHATWG URL parser's canonical text form of an IP address. */
function canonicalIpAddress(address: string): string {
  if (address.includes('%')) {
    throw new Error(`Invalid IP address "${address}" for the web certificate: zone ids cannot be certified`);
  }

  const host = isIP(address) === 6 ? `[${address}]` : address;
  return new URL(`https://${host}/`).hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Returns the requested names that a certificate does not cover, matched by OpenSSL's
 * own host and IP checks against the subjectAltName only (never the subject CN), as a
 * TLS client matches them.
 */
export function uncoveredHostNames(certificate: X509Certificate, names: HostNameSet): string[] {
  const missing: string[] = [];

  for (const dnsName of names.dnsNames) {
    if (certificate.checkHost(dnsName, { subject: 'never' }) === undefined) {
      missing.push(dnsName);
    }
  }
  for (const address of names.ipAddresses) {
    if (certificate.checkIP(address) === undefined) {
      missing.push(address);
    }
  }

  return missing;
}
