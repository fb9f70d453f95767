import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '@/lib/auth/return-to';
import { accessTokenFrom, readCookie } from '@/lib/auth/session-cookies';

describe('safeReturnTo', () => {
  it.each(['/hosts', '/jobs/1?tab=output', '/audit?actor=a#top'])('keeps the same-site path %s', (path) => {
    expect(safeReturnTo(path)).toBe(path);
  });

  it.each(['//evil.test', '/\\evil.test', '\\\\evil.test', 'https://evil.test/', 'javascript:alert(1)', '/\t/evil.test', '', 'hosts'])(
    'replaces %j with the hosts list',
    (value) => {
      expect(safeReturnTo(value)).toBe('/dashboard');
    },
  );

  it.each(['/..//evil.test', '/a/..//evil.test', '/%2e%2e//evil.test', '/.//evil.test', '/a/../..//evil.test'])(
    'replaces dot segments that resolve to %j',
    (value) => {
      expect(safeReturnTo(value)).toBe('/dashboard');
    },
  );

  it('replaces a missing value with the hosts list', () => {
    expect(safeReturnTo(null)).toBe('/dashboard');
  });
});

describe('access token extraction', () => {
  it('prefers the Bearer header over the cookie', () => {
    const headers = new Headers({ authorization: 'Bearer header.token.value', cookie: 'pm_access=cookie.token.value' });

    expect(accessTokenFrom(headers)).toBe('header.token.value');
  });

  it('reads the access cookie among others', () => {
    expect(readCookie('a=1; pm_access=abc.def.ghi; b=2', 'pm_access')).toBe('abc.def.ghi');
  });

  it('returns null for a malformed Authorization header', () => {
    expect(accessTokenFrom(new Headers({ authorization: 'Basic dXNlcg==' }))).toBeNull();
  });
});
