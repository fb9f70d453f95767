import { describe, expect, it } from 'vitest';
import { decodeClientConnection, encodeClientConnection, resolveClientAddress, resolveConnectionAddress } from '@/lib/net/client-address';
import { CidrError, isAllowed, normaliseAddress, parseCidr, parseCidrList } from '@/lib/net/ip-allowlist';
import { networkSettingsInput } from '@/lib/net/network-settings';

const proxies = parseCidrList(['10.0.0.0/8', '2001:db8:ffff::/48']);

describe('resolveClientAddress', () => {
  const cases: {
    name: string;
    peer: string;
    headers: Record<string, string | string[]>;
    expected: { ok: true; address: string } | { ok: false };
  }[] = [
    { name: 'untrusted peer with spoofed X-Forwarded-For uses the peer', peer: '198.51.100.7', headers: { 'x-forwarded-for': '127.0.0.1' }, expected: { ok: true, address: '198.51.100.7' } },
    { name: 'untrusted peer with spoofed X-Real-IP uses the peer', peer: '198.51.100.7', headers: { 'x-real-ip': '10.0.0.1' }, expected: { ok: true, address: '198.51.100.7' } },
    { name: 'untrusted peer with a malformed header is not refused, the header is ignored', peer: '198.51.100.7', headers: { 'x-forwarded-for': 'junk:80' }, expected: { ok: true, address: '198.51.100.7' } },
    { name: 'trusted proxy without headers is itself the client', peer: '10.1.1.1', headers: {}, expected: { ok: true, address: '10.1.1.1' } },
    { name: 'leftmost spoof behind a trusted proxy takes the rightmost non-proxy', peer: '10.1.1.1', headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' }, expected: { ok: true, address: '203.0.113.9' } },
    { name: 'chain of trusted proxies is skipped from the right', peer: '10.1.1.1', headers: { 'x-forwarded-for': '192.0.2.4, 203.0.113.9, 10.2.2.2' }, expected: { ok: true, address: '203.0.113.9' } },
    { name: 'repeated header lines join into one chain', peer: '10.1.1.1', headers: { 'x-forwarded-for': ['192.0.2.4', '203.0.113.9'] }, expected: { ok: true, address: '203.0.113.9' } },
    { name: 'every hop trusted gives the leftmost', peer: '10.1.1.1', headers: { 'x-forwarded-for': '10.3.3.3, 10.2.2.2' }, expected: { ok: true, address: '10.3.3.3' } },
    { name: 'X-Real-IP from a trusted proxy is used', peer: '10.1.1.1', headers: { 'x-real-ip': '203.0.113.9' }, expected: { ok: true, address: '203.0.113.9' } },
    { name: 'comma in X-Real-IP is rejected', peer: '10.1.1.1', headers: { 'x-real-ip': '203.0.113.9, 192.0.2.4' }, expected: { ok: false } },
    { name: 'port suffix in X-Forwarded-For is rejected', peer: '10.1.1.1', headers: { 'x-forwarded-for': '203.0.113.9:4431' }, expected: { ok: false } },
    { name: 'bracketed IPv6 with a port is rejected', peer: '10.1.1.1', headers: { 'x-forwarded-for': '[2001:db8::1]:443' }, expected: { ok: false } },
    { name: 'port suffix in X-Real-IP is rejected', peer: '10.1.1.1', headers: { 'x-real-ip': '203.0.113.9:80' }, expected: { ok: false } },
    { name: 'leading zeros are rejected', peer: '10.1.1.1', headers: { 'x-forwarded-for': '203.0.113.09' }, expected: { ok: false } },
    { name: 'leading zeros in X-Real-IP are rejected', peer: '10.1.1.1', headers: { 'x-real-ip': '010.0.0.1' }, expected: { ok: false } },
    { name: 'empty element is rejected', peer: '10.1.1.1', headers: { 'x-forwarded-for': '203.0.113.9,,192.0.2.4' }, expected: { ok: false } },
    { name: 'host name is rejected', peer: '10.1.1.1', headers: { 'x-forwarded-for': 'client.example.com' }, expected: { ok: false } },
    { name: 'IPv4-mapped IPv6 in the header is normalised', peer: '10.1.1.1', headers: { 'x-forwarded-for': '::ffff:203.0.113.9' }, expected: { ok: true, address: '203.0.113.9' } },
    { name: 'IPv4-mapped IPv6 peer matches an IPv4 trusted proxy', peer: '::ffff:10.1.1.1', headers: { 'x-forwarded-for': '203.0.113.9' }, expected: { ok: true, address: '203.0.113.9' } },
    { name: 'IPv4-mapped IPv6 peer is normalised', peer: '::ffff:198.51.100.7', headers: {}, expected: { ok: true, address: '198.51.100.7' } },
    { name: 'IPv6 trusted proxy forwards an IPv6 client', peer: '2001:db8:ffff::1', headers: { 'x-forwarded-for': '2001:db8:1::5' }, expected: { ok: true, address: '2001:db8:1::5' } },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = resolveClientAddress({ peer: testCase.peer, headers: testCase.headers, trustedProxies: proxies });
      if (testCase.expected.ok) {
        expect(result).toEqual(testCase.expected);
      } else {
        expect(result.ok).toBe(false);
      }
    });
  }

  it('ignores forwarding headers when no proxy is trusted', () => {
    expect(resolveClientAddress({ peer: '10.1.1.1', headers: { 'x-forwarded-for': '203.0.113.9' }, trustedProxies: [] })).toEqual({ ok: true, address: '10.1.1.1' });
  });
});

describe('IP allowlist', () => {
  it('allows every address with an empty list', () => {
    expect(isAllowed('203.0.113.9', [])).toBe(true);
  });

  it('matches IPv4 and IPv6 blocks and single addresses', () => {
    const list = parseCidrList(['192.0.2.0/24', '2001:db8::/32', '198.51.100.7']);
    expect(isAllowed('192.0.2.200', list)).toBe(true);
    expect(isAllowed('192.0.3.1', list)).toBe(false);
    expect(isAllowed('2001:db8:1234::1', list)).toBe(true);
    expect(isAllowed('2001:db9::1', list)).toBe(false);
    expect(isAllowed('198.51.100.7', list)).toBe(true);
    expect(isAllowed('198.51.100.8', list)).toBe(false);
  });

  it('matches an IPv4-mapped IPv6 address against an IPv4 block and the reverse', () => {
    expect(isAllowed('::ffff:192.0.2.1', parseCidrList(['192.0.2.0/24']))).toBe(true);
    expect(isAllowed('192.0.2.1', parseCidrList(['::ffff:192.0.2.0/120']))).toBe(true);
    expect(isAllowed('::ffff:192.0.3.1', parseCidrList(['192.0.2.0/24']))).toBe(false);
  });

  it('allows everything with a zero prefix of its family only', () => {
    const list = parseCidrList(['0.0.0.0/0']);
    expect(isAllowed('203.0.113.9', list)).toBe(true);
    expect(isAllowed('2001:db8::1', list)).toBe(false);
  });

  it('never allows a malformed address through a non-empty list', () => {
    expect(isAllowed('unknown', parseCidrList(['0.0.0.0/0']))).toBe(false);
  });

  it.each([
    ['192.0.2.0/33', 'prefix length above 32'],
    ['2001:db8::/129', 'prefix length above 128'],
    ['192.0.2.1/24', 'host bits set'],
    ['192.0.2.0/024', 'invalid prefix length'],
    ['192.0.2.0/', 'invalid prefix length'],
    ['192.0.02.0/24', 'is not an IPv4 or IPv6 address'],
    ['192.0.2.0/24/8', 'more than one "/"'],
    ['example.com', 'is not an IPv4 or IPv6 address'],
    ['::ffff:192.0.2.0/64', 'IPv4-mapped range'],
  ])('rejects %s naming the entry', (entry, reason) => {
    expect(() => parseCidr(entry)).toThrow(CidrError);
    expect(() => parseCidr(entry)).toThrow(JSON.stringify(entry));
    expect(() => parseCidr(entry)).toThrow(reason);
  });

  it('normalises addresses to one form', () => {
    expect(normaliseAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(normaliseAddress('2001:0db8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normaliseAddress('fe80::1%eth0')).toBeNull();
  });

  it('validates the settings body and names the bad entry and unknown fields', () => {
    expect(networkSettingsInput.parse({ ipAllowlist: ['192.0.2.0/24', '192.0.2.0/24'], trustedProxies: [] })).toEqual({
      ipAllowlist: ['192.0.2.0/24'],
      trustedProxies: [],
    });
    const bad = networkSettingsInput.safeParse({ ipAllowlist: ['192.0.2.0/24', '300.1.1.1'], trustedProxies: [] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('"300.1.1.1"');
    const extra = networkSettingsInput.safeParse({ ipAllowlist: [], trustedProxies: [], allowAll: true });
    expect(extra.error?.issues[0]?.code).toBe('unrecognized_keys');
  });
});

describe('client connection header', () => {
  it('round-trips the connection facts', () => {
    const connection = { peer: '::ffff:10.1.1.1', forwardedFor: '203.0.113.9, 192.0.2.4', realIp: null };

    expect(decodeClientConnection(encodeClientConnection(connection))).toEqual(connection);
  });

  it('reads a damaged header as absent', () => {
    expect(decodeClientConnection('%7Bnot json')).toBeNull();
    expect(decodeClientConnection(null)).toBeNull();
  });

  it('resolves the facts under other trusted proxies', () => {
    const connection = { peer: '10.1.1.1', forwardedFor: '203.0.113.9', realIp: null };

    expect(resolveConnectionAddress(connection, proxies)).toEqual({ ok: true, address: '203.0.113.9' });
    expect(resolveConnectionAddress(connection, [])).toEqual({ ok: true, address: '10.1.1.1' });
  });
});
