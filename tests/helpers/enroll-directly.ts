import { hosts, certificates } from '@/lib/db/schema';
import type { Database } from '@/lib/db/client';
import { createCsr } from '@/lib/pki/issue-test-client';
import { revocationUrls } from '@/lib/pki/revocation-urls';
import { canonicalSerial } from '@/lib/pki/serial';
import { signAgentCsr } from '@/lib/pki/sign-agent-csr';
import * as x509 from '@/lib/pki/x509';

/** A host created by `enrollDirectly`, with its client certificate and key as PEM. */
export interface DirectIdentity {
  hostId: string;
  certPem: string;
  keyPem: string;
}

/**
 * Creates a host and its active certificate the way enrollment stores them, signed by
 * the server's CA (key read from its data directory) without an enrollment token.
 */
export async function enrollDirectly(options: {
  db: Database;
  hostname: string;
  caCertPem: string;
  caKeyPem: string;
  webUrl: string;
}): Promise<DirectIdentity> {
  const [host] = await options.db.insert(hosts).values({ hostname: options.hostname }).returning({ id: hosts.id });
  const hostId = host!.id;
  const { keyPem, csrPem } = await createCsr();
  const { certPem } = await signAgentCsr({
    caCertPem: options.caCertPem,
    caKeyPem: options.caKeyPem,
    csrPem,
    hostId,
    validityDays: 30,
    revocationUrls: revocationUrls(options.webUrl),
  });
  const certificate = new x509.X509Certificate(certPem);
  await options.db.insert(certificates).values({
    hostId,
    serial: canonicalSerial(certificate.serialNumber),
    fingerprint: Buffer.from(await certificate.getThumbprint('SHA-256')).toString('hex'),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    pem: certPem,
  });
  return { hostId, certPem, keyPem };
}
