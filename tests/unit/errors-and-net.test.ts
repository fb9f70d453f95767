import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  ERROR_CODES,
  errorBody,
  ForbiddenError,
  httpStatusFor,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@/lib/errors';
import { isLoopbackAddress } from '@/lib/net/loopback';
import { deriveAllowedOrigins, normalizeOrigin, originAllowed } from '@/lib/net/origins';
import { crossOriginWriteReason } from '@/lib/net/cross-origin-write';

describe('error status table', () => {
  const cases = [
    [new ValidationError('x'), 400],
    [new UnauthorizedError('x'), 401],
    [new ForbiddenError('x'), 403],
    [new NotFoundError('x'), 404],
    [new ConflictError('x'), 409],
    [new PayloadTooLargeError('x'), 413],
    [new UnsupportedMediaTypeError('x'), 415],
    [new RateLimitedError('x'), 429],
  ] as const;

  it.each(cases)('maps %s to its status', (error, status) => {
    expect(httpStatusFor(error)).toBe(status);
  });

  it('covers every error code', () => {
    expect(cases.map(([error]) => error.code).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('hides the message of an unknown error', () => {
    expect(httpStatusFor(new Error('password=hunter2'))).toBe(500);
    expect(JSON.stringify(errorBody(new Error('password=hunter2')))).not.toContain('hunter2');
  });

  it('names the field of a validation error', () => {
    expect(errorBody(new ValidationError('hostIds: empty', { field: 'hostIds' }))).toEqual({
      error: { code: 'invalid_input', message: 'hostIds: empty', field: 'hostIds' },
    });
  });
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('accepts %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '0.0.0.0', '::', '::ffff:10.0.0.1', 'localhost', '', '128.0.0.1'])('rejects %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});

describe('allowed origins', () => {
  it('derives the public URL origin when none is configured', () => {
    expect(deriveAllowedOrigins([], 'https://patch.example.com:8443')).toEqual(['https://patch.example.com:8443']);
  });

  it('prefers the configured list', () => {
    expect(deriveAllowedOrigins(['https://a.example.com'], 'https://b.example.com')).toEqual(['https://a.example.com']);
  });

  it('derives nothing from nothing', () => {
    expect(deriveAllowedOrigins([], null)).toEqual([]);
  });

  it('drops the default port and rejects paths', () => {
    expect(normalizeOrigin('https://a.example.com:443')).toBe('https://a.example.com');
    expect(normalizeOrigin('https://a.example.com/x')).toBeNull();
    expect(normalizeOrigin('javascript:alert(1)')).toBeNull();
  });

  it('matches scheme, host and port exactly', () => {
    const allowed = ['https://patch.example.com:8443'];

    expect(originAllowed('https://patch.example.com:8443', allowed)).toBe(true);
    expect(originAllowed('http://patch.example.com:8443', allowed)).toBe(false);
    expect(originAllowed('https://patch.example.com', allowed)).toBe(false);
    expect(originAllowed('https://patch.example.com.evil.test:8443', allowed)).toBe(false);
    expect(originAllowed('null', allowed)).toBe(false);
    expect(originAllowed(undefined, allowed)).toBe(false);
  });
});

describe('crossOriginWriteReason', () => {
  const origin = 'https://patch.example.com:8443';
  const cases: [string, string, Record<string, string>, boolean][] = [
    ['GET from anywhere', 'GET', { origin: 'https://evil.test' }, true],
    ['POST from the console', 'POST', { origin, 'sec-fetch-site': 'same-origin' }, true],
    ['POST from a script without browser headers', 'POST', {}, true],
    ['POST from another port of the same host', 'POST', { origin: 'https://patch.example.com:9999', 'sec-fetch-site': 'same-site' }, false],
    ['POST from another site', 'POST', { origin: 'https://evil.test' }, false],
    ['POST from another allowed origin', 'POST', { origin: 'https://dashboard.example.com', 'sec-fetch-site': 'same-site' }, true],
    ['DELETE with a null origin', 'DELETE', { origin: 'null' }, false],
    ['PUT marked cross-site without origin', 'PUT', { 'sec-fetch-site': 'cross-site' }, false],
  ];

  it.each(cases)('%s', (_name, method, headers, allowed) => {
    const reason = crossOriginWriteReason(method, new Headers(headers), [origin, 'https://dashboard.example.com']);

    expect(reason === null).toBe(allowed);
  });
});
