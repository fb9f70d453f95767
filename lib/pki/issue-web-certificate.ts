import { authorityKeyIdentifier } from './authority-key-id';
import type { HostNameSet } from './host-names';
import { ECDSA_SHA256, exportPrivateKeyPem, generateP256KeyPair, importP256PrivateKeyPem } from './keys';
import { type RevocationUrls, revocationExtensions } from './revocation-urls';
import { randomSerialHex } from './serial';
import { validityWindow } from './validity';
import { webcrypto } from './webcrypto';
import * as x509 from './x509';

/** Validity of the web listener certificate: 397 days, inside the 398-day limit browsers set for publicly trusted TLS server certificates. */
export const WEB_CERT_VALIDITY_DAYS = 397;

/**
 * Issues a TLS server certificate for the web listener from the internal CA, with a new
 * ECDSA P-256 key. Every host name goes into the subjectAltName (DNS or IP entry), and
 * the first one also becomes the subject CN for display. notAfter is capped at the CA's
 * own notAfter so the certificate never outlives its issuer. With `revocationUrls`, it
 * names the CRL distribution point and the OCSP responder, which TLS scanners expect.
 */
export async function issueWebCertificate(options: {
  caCertPem: string;
  caKeyPem: string;
  hostNames: HostNameSet;
  revocationUrls?: RevocationUrls;
}): Promise<{ certPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(options.caCertPem);
  const caKey = await importP256PrivateKeyPem(options.caKeyPem);
  const keys = await generateP256KeyPair();
  const { notBefore, notAfter } = validityWindow(WEB_CERT_VALIDITY_DAYS);

  const { dnsNames, ipAddresses } = options.hostNames;
  const altNames: x509.JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const commonName = dnsNames[0] ?? ipAddresses[0] ?? 'patch-manager';

  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialHex(),
      subject: [{ CN: [commonName] }],
      issuer: caCert.subjectName,
      notBefore,
      notAfter: notAfter < caCert.notAfter ? notAfter : caCert.notAfter,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(altNames, false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        await authorityKeyIdentifier(caCert),
        ...(options.revocationUrls ? revocationExtensions(options.revocationUrls) : []),
      ],
    },
    webcrypto,
  );

  return {
    certPem: certificate.toString('pem'),
    keyPem: await exportPrivateKeyPem(keys.privateKey),
  };
}
