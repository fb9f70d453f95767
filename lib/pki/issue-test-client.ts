import { ECDSA_SHA256, exportPrivateKeyPem, generateP256KeyPair } from './keys';
import { signAgentCsr } from './sign-agent-csr';
import { webcrypto } from './webcrypto';
import * as x509 from './x509';

/**
 * Generates an ECDSA P-256 key pair and a PKCS#10 CSR signed with it, both as PEM. The
 * CSR carries no names or extensions because the CA sets them all from the host id.
 * The agent uses this for enrollment and renewal, so this module must not import
 * anything that only the server has (database, config, logger).
 */
export async function createCsr(): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await generateP256KeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { keys, signingAlgorithm: ECDSA_SHA256 },
    webcrypto,
  );

  return {
    keyPem: await exportPrivateKeyPem(keys.privateKey),
    csrPem: csr.toString('pem'),
  };
}

/**
 * Creates a key and a client certificate for `hostId` signed by the given CA, the way
 * enrollment does, for tests and benchmarks that need a working agent identity.
 */
export async function issueTestClient(options: {
  caCertPem: string;
  caKeyPem: string;
  hostId: string;
  validityDays?: number;
}): Promise<{ keyPem: string; certPem: string; serial: string; fingerprint: string }> {
  const { keyPem, csrPem } = await createCsr();
  const issued = await signAgentCsr({
    caCertPem: options.caCertPem,
    caKeyPem: options.caKeyPem,
    csrPem,
    hostId: options.hostId,
    validityDays: options.validityDays ?? 30,
  });

  return { keyPem, certPem: issued.certPem, serial: issued.serial, fingerprint: issued.fingerprint };
}
