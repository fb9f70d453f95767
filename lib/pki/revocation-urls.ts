import * as x509 from './x509';

/** Revocation status URLs of the internal CA, for relying parties. */
export interface RevocationUrls {
  /** CRL distribution point, DER encoded as RFC 5280 section 4.2.1.13 expects. */
  crlUrl: string;
  /** OCSP responder (RFC 6960), POST or GET with the request in the path. */
  ocspUrl: string;
}

/**
 * Returns the revocation URLs under the console's public URL (`https://host:port`, no
 * path). Both sit on the web listener because it is the only listener reachable
 * without a client certificate.
 */
export function revocationUrls(publicUrl: string): RevocationUrls {
  const origin = new URL(publicUrl).origin;
  return { crlUrl: `${origin}/pki/crl.der`, ocspUrl: `${origin}/pki/ocsp` };
}

/** Builds the cRLDistributionPoints and authorityInfoAccess (OCSP) extensions for an issued certificate. */
export function revocationExtensions(urls: RevocationUrls): x509.Extension[] {
  return [
    new x509.CRLDistributionPointsExtension([urls.crlUrl], false),
    new x509.AuthorityInfoAccessExtension({ ocsp: [urls.ocspUrl] }, false),
  ];
}

/** Returns true when a certificate advertises exactly these revocation URLs. */
export function hasRevocationUrls(certificatePem: string, urls: RevocationUrls): boolean {
  const certificate = new x509.X509Certificate(certificatePem);
  const distribution = certificate.getExtension(x509.CRLDistributionPointsExtension);
  const access = certificate.getExtension(x509.AuthorityInfoAccessExtension);
  if (!distribution || !access) {
    return false;
  }

  const crlUrls = distribution.distributionPoints.flatMap(
    (point) => point.distributionPoint?.fullName?.map((name) => name.uniformResourceIdentifier) ?? [],
  );
  const ocspUrls = access.ocsp.map((name) => name.value);
  return crlUrls.includes(urls.crlUrl) && ocspUrls.includes(urls.ocspUrl);
}
