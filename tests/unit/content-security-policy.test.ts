import { describe, expect, it } from 'vitest';
import { BASE_CONTENT_SECURITY_POLICY, createScriptNonce, pageContentSecurityPolicy } from '@/lib/http/content-security-policy';

function scriptSources(policy: string): string[] {
  const directive = policy.split('; ').find((part) => part.startsWith('script-src '));
  return directive?.split(' ').slice(1) ?? [];
}

describe('page content security policy', () => {
  it('production allows only the nonce', () => {
    expect(scriptSources(pageContentSecurityPolicy('abc=', true))).toEqual(["'nonce-abc='", "'strict-dynamic'"]);
  });

  it('development also allows eval', () => {
    expect(scriptSources(pageContentSecurityPolicy('abc=', false))).toEqual(["'nonce-abc='", "'strict-dynamic'", "'unsafe-eval'"]);
  });

  it('keeps the base policy', () => {
    expect(pageContentSecurityPolicy('abc=', true).endsWith(BASE_CONTENT_SECURITY_POLICY)).toBe(true);
  });

  it('never allows inline scripts', () => {
    expect(scriptSources(pageContentSecurityPolicy('abc=', false))).not.toContain("'unsafe-inline'");
  });
});

describe('script nonce', () => {
  it('holds 128 random bits', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => createScriptNonce()));

    expect(nonces.size).toBe(100);
    for (const nonce of nonces) {
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    }
  });
});
