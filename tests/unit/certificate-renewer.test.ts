import { describe, expect, it } from 'vitest';
import { DEFAULT_RENEW_AT_FRACTION, renewAtFraction, renewalTime } from '@/agent/certificate-renewer';
import { createCa } from '@/lib/pki/create-ca';
import * as x509 from '@/lib/pki/x509';
import { issueCustomCertificate } from '@/tests/helpers/test-certificates';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('renewAtFraction', () => {
  it('defaults to two thirds', () => {
    expect(DEFAULT_RENEW_AT_FRACTION).toBeCloseTo(2 / 3, 10);
    expect(renewAtFraction({})).toBe(DEFAULT_RENEW_AT_FRACTION);
    expect(renewAtFraction({ PM_AGENT_RENEW_AT_FRACTION: '  ' })).toBe(DEFAULT_RENEW_AT_FRACTION);
  });

  it('reads PM_AGENT_RENEW_AT_FRACTION', () => {
    expect(renewAtFraction({ PM_AGENT_RENEW_AT_FRACTION: '0.5' })).toBe(0.5);
    expect(renewAtFraction({ PM_AGENT_RENEW_AT_FRACTION: ' 0.9 ' })).toBe(0.9);
  });

  it.each(['0', '1', '1.5', '-0.2', 'two thirds', 'NaN', 'Infinity'])('rejects %j', (value) => {
    expect(() => renewAtFraction({ PM_AGENT_RENEW_AT_FRACTION: value })).toThrow(
      /^invalid PM_AGENT_RENEW_AT_FRACTION=.*expected a number greater than 0 and less than 1/,
    );
  });
});

describe('renewalTime', () => {
  it('is the fraction of the lifetime after notBefore', async () => {
    const ca = await createCa();
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * DAY_MS);
    const notAfter = new Date(notBefore.getTime() + 90 * DAY_MS);
    const { certPem } = await issueCustomCertificate({
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      hostId: 'renewal-time-host',
      notBefore,
      notAfter,
      extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
    });

    expect(renewalTime(certPem, DEFAULT_RENEW_AT_FRACTION).getTime()).toBe(notBefore.getTime() + 60 * DAY_MS);
    expect(renewalTime(certPem, 0.5).getTime()).toBe(notBefore.getTime() + 45 * DAY_MS);
  });
});
