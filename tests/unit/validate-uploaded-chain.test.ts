import { beforeAll, describe, expect, it } from 'vitest';
import { createCa } from '@/lib/pki/create-ca';
import { parseHostNames } from '@/lib/pki/host-names';
import { issueWebCertificate } from '@/lib/pki/issue-web-certificate';
import { UploadedChainError, validateUploadedChain } from '@/lib/pki/validate-uploaded-chain';

let ca: { certPem: string; keyPem: string };
let leaf: { certPem: string; keyPem: string };
let otherLeaf: { certPem: string; keyPem: string };

function failure(options: Parameters<typeof validateUploadedChain>[0]): UploadedChainError {
  try {
    validateUploadedChain(options);
  } catch (error) {
    if (error instanceof UploadedChainError) return error;
    throw error;
  }
  throw new Error('expected the upload to be rejected');
}

beforeAll(async () => {
  ca = await createCa();
  leaf = await issueWebCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, hostNames: parseHostNames(['console.example.test']) });
  otherLeaf = await issueWebCertificate({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, hostNames: parseHostNames(['console.example.test']) });
});

describe('validateUploadedChain', () => {
  it('accepts a complete chain for the public host', () => {
    const result = validateUploadedChain({
      chainPem: `${leaf.certPem}${ca.certPem}`,
      keyPem: leaf.keyPem,
      publicUrl: 'https://console.example.test:8443',
    });

    expect(result.subject).toContain('console.example.test');
    expect(result.servedChainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(result.fullChainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('rejects a key of another certificate', () => {
    const error = failure({ chainPem: `${leaf.certPem}${ca.certPem}`, keyPem: otherLeaf.keyPem, publicUrl: 'https://console.example.test' });

    expect(error.field).toBe('privateKey');
    expect(error.message).toMatch(/does not belong/);
  });

  it('rejects a chain without its root', () => {
    const error = failure({ chainPem: leaf.certPem, keyPem: leaf.keyPem, publicUrl: 'https://console.example.test' });

    expect(error.field).toBe('certificateChain');
    expect(error.message).toMatch(/self-signed root/);
  });

  it('rejects a certificate for another host', () => {
    const error = failure({ chainPem: `${leaf.certPem}${ca.certPem}`, keyPem: leaf.keyPem, publicUrl: 'https://other.example.test' });

    expect(error.message).toMatch(/does not cover the console's host other\.example\.test/);
  });

  it('rejects an expired chain', () => {
    const error = failure({
      chainPem: `${leaf.certPem}${ca.certPem}`,
      keyPem: leaf.keyPem,
      publicUrl: 'https://console.example.test',
      now: new Date(Date.now() + 400 * 24 * 60 * 60 * 1000),
    });

    expect(error.message).toMatch(/not now/);
  });
});
