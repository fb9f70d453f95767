import { describe, expect, it } from 'vitest';
import { BASE_CONTENT_SECURITY_POLICY, createScriptNonce, pageContentSecurityPolicy } from '@/lib/http/content-security-policy';

function scriptSources(policy: string): string[] {
  const directive = policy.split('; ').find((part) => part.startsWith('script-src '));
  return directive?.split(' ').slice(1) ?? [];
}

describe('page content security policy', () => {
  it('allows scripts by nonce only', () => {
    expect(scriptSources(pageContentSecurityPolicy('abc='))).toEqual(["'nonce-abc='", "'strict-dynamic'"]);
  });

  it('keeps the base policy', () => {
    expect(pageContentSecurityPolicy('abc=').endsWith(BASE_CONTENT_SECURITY_POLICY)).toBe(true);
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
