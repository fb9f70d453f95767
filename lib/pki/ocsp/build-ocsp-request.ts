import { createHash } from 'node:crypto';

import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';

import '../x509';
import { CertId, OcspRequest, SingleRequest } from './ocsp-asn1';

const SHA1 = '1.3.14.3.2.26';

/**
 * Builds a DER OCSPRequest for one certificate with a SHA-1 CertID, the form OpenSSL
 * sends, so the server can staple its own responder's response for the web certificate.
 */
export function buildOcspRequest(options: { certDer: Uint8Array; issuerDer: Uint8Array }): Buffer {
  const certificate = AsnConvert.parse(options.certDer, Certificate);
  const issuer = AsnConvert.parse(options.issuerDer, Certificate);

  const certId = new CertId();
  certId.hashAlgorithm = new AlgorithmIdentifier({ algorithm: SHA1, parameters: null });
  certId.issuerNameHash = new OctetString(sha1(AsnConvert.serialize(issuer.tbsCertificate.subject)));
  certId.issuerKeyHash = new OctetString(sha1(issuer.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey));
  certId.serialNumber = certificate.tbsCertificate.serialNumber;

  const single = new SingleRequest();
  single.reqCert = certId;
  const request = new OcspRequest();
  request.tbsRequest.requestList = [single];
  return Buffer.from(AsnConvert.serialize(request));
}

function sha1(data: ArrayBuffer): Buffer {
  return createHash('sha1').update(Buffer.from(data)).digest();
}
