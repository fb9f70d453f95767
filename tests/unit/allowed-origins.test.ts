import { describe, expect, it } from 'vitest';
import { ValidationError } from '@/lib/errors';
import { effectiveAllowedOrigins, MAX_ALLOWED_ORIGINS, parseAllowedOrigin } from '@/lib/net/allowed-origins';
import { networkSettingsInput } from '@/lib/net/network-settings';
import { parseInput } from '@/lib/validation';

function parseOrigins(allowedOrigins: unknown) {
  return parseInput(networkSettingsInput, { ipAllowlist: [], trustedProxies: [], allowedOrigins }, 'network settings');
}

function rejection(allowedOrigins: unknown): ValidationError {
  try {
    parseOrigins(allowedOrigins);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(allowedOrigins)}`);
}

describe('parseAllowedOrigin', () => {
  const accepted: [string, string, string][] = [
    ['host and port', 'https://patch.example.com:8443', 'https://patch.example.com:8443'],
    ['host without port', 'https://patch.example.com', 'https://patch.example.com'],
    ['upper case', 'HTTPS://Patch.Example.COM:8443', 'https://patch.example.com:8443'],
    ['default port', 'https://patch.example.com:443', 'https://patch.example.com'],
    ['IPv4 literal', 'https://192.0.2.10:8443', 'https://192.0.2.10:8443'],
    ['IPv6 literal', 'https://[::1]:8443', 'https://[::1]:8443'],
    ['IPv6 literal in long form', 'https://[2001:DB8:0:0:0:0:0:1]', 'https://[2001:db8::1]'],
    ['surrounding spaces', '  https://patch.example.com  ', 'https://patch.example.com'],
  ];

  it.each(accepted)('accepts %s', (_name, value, origin) => {
    expect(parseAllowedOrigin(value)).toEqual({ ok: true, origin });
  });

  const rejected: [string, string, string][] = [
    ['path', 'https://patch.example.com/console', 'without a path'],
    ['trailing slash', 'https://patch.example.com/', 'without a path'],
    ['backslash path', 'https://patch.example.com\\console', 'without a path'],
    ['query', 'https://patch.example.com?x=1', 'without a query'],
    ['fragment', 'https://patch.example.com#top', 'without a fragment'],
    ['http scheme', 'http://patch.example.com', 'with the https scheme instead of http'],
    ['wss scheme', 'wss://patch.example.com', 'with the https scheme instead of wss'],
    ['no scheme', 'patch.example.com', 'starting with https://'],
    ['wildcard', 'https://*.example.com', 'without a wildcard'],
    ['userinfo', 'https://admin:secret@patch.example.com', 'without a user name or password'],
    ['empty userinfo', 'https://@patch.example.com', 'without a user name or password'],
    ['trailing dot', 'https://patch.example.com.', 'without the trailing dot'],
    ['trailing dot and port', 'https://patch.example.com.:8443', 'without the trailing dot'],
    ['no host', 'https://', 'with a host name or address'],
    ['port out of range', 'https://patch.example.com:70000', 'port from 1 to 65535'],
    ['port zero', 'https://patch.example.com:0', 'port from 1 to 65535'],
    ['space in host', 'https://patch example.com', 'valid host name'],
    ['the null origin', 'null', 'starting with https://'],
  ];

  it.each(rejected)('rejects %s', (_name, value, fix) => {
    const result = parseAllowedOrigin(value);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain('expected an origin such as https://patch.example.com:8443');
    expect(result.ok ? '' : result.problem).toContain(fix);
  });
});

describe('allowedOrigins input', () => {
  it('names the entry, the example and the fix', () => {
    const error = rejection(['https://a.example.com', 'https://b.example.com', 'https://c.example.com/x']);

    expect(error.message).toBe(
      'allowedOrigins[2]: expected an origin such as https://patch.example.com:8443, without a path (got "https://c.example.com/x")',
    );
    expect(error.field).toBe('allowedOrigins');
  });

  it('normalises and removes duplicates', () => {
    const parsed = parseOrigins(['https://A.example.com:443', 'https://a.example.com', 'https://[::1]:8443']);

    expect(parsed.allowedOrigins).toEqual(['https://a.example.com', 'https://[::1]:8443']);
  });

  it('stays optional', () => {
    const parsed = parseInput(networkSettingsInput, { ipAllowlist: [], trustedProxies: [] }, 'network settings');

    expect(parsed.allowedOrigins).toBeUndefined();
  });

  it('limits the number of entries', () => {
    const list = Array.from({ length: MAX_ALLOWED_ORIGINS + 1 }, (_, index) => `https://host-${index}.example.com`);

    expect(parseOrigins(list.slice(0, MAX_ALLOWED_ORIGINS)).allowedOrigins).toHaveLength(MAX_ALLOWED_ORIGINS);
    expect(rejection(list).message).toBe(`allowedOrigins: at most ${MAX_ALLOWED_ORIGINS} entries; remove some`);
  });

  it('rejects a non-list and a non-string entry', () => {
    expect(rejection('https://a.example.com').message).toContain('allowedOrigins: expected a list of origins');
    expect(rejection([42]).message).toContain('allowedOrigins: expected a list of origins as strings');
  });
});

describe('effectiveAllowedOrigins', () => {
  const defaults = { configured: ['https://config.example.com'], publicUrl: 'https://patch.example.com:8443' };

  it('prefers the stored list', () => {
    expect(effectiveAllowedOrigins(['https://stored.example.com'], defaults)).toEqual(['https://stored.example.com']);
  });

  it('falls back to the config file list', () => {
    expect(effectiveAllowedOrigins([], defaults)).toEqual(['https://config.example.com']);
  });

  it('falls back to the public URL', () => {
    expect(effectiveAllowedOrigins([], { configured: [], publicUrl: 'https://patch.example.com:8443' })).toEqual([
      'https://patch.example.com:8443',
    ]);
  });
});
