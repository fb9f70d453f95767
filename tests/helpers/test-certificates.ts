import { HOST_URI_PREFIX } from '@/lib/pki/sign-agent-csr';
import { ECDSA_SHA256, exportPrivateKeyPem, generateP256KeyPair, importP256PrivateKeyPem } from '@/lib/pki/keys';
import { webcrypto } from '@/lib/pki/webcrypto';
import * as x509 from '@/lib/pki/x509';

/**
 * Issues a certificate from the given CA with settings that `signAgentCsr` and
 * `ensurePki` never produce (an expired validity, another extended key usage, none at
 * all), so tests can check that they are rejected or replaced. The subjectAltName is
 * the host URI unless `altNames` is given; `extendedKeyUsages: null` omits the extension.
 */
export async function issueCustomCertificate(options: {
  caCertPem: string;
  caKeyPem: string;
  hostId: string;
  notBefore: Date;
  notAfter: Date;
  extendedKeyUsages: string[] | null;
  altNames?: x509.JsonGeneralName[];
}): Promise<{ certPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(options.caCertPem);
  const caKey = await importP256PrivateKeyPem(options.caKeyPem);
  const keys = await generateP256KeyPair();

  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.SubjectAlternativeNameExtension(
      options.altNames ?? [{ type: 'url', value: `${HOST_URI_PREFIX}${options.hostId}` }],
    ),
  ];
  if (options.extendedKeyUsages !== null) {
    extensions.push(new x509.ExtendedKeyUsageExtension(options.extendedKeyUsages));
  }

  const certificate = await x509.X509CertificateGenerator.create(
    {
      subject: [{ CN: [options.hostId] }],
      issuer: caCert.subjectName,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ECDSA_SHA256,
      extensions,
    },
    webcrypto,
  );

  return { certPem: certificate.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
