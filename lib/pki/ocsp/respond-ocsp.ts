import { createHash, createPrivateKey, sign } from 'node:crypto';

import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension } from '@peculiar/asn1-x509';

import '../x509';
import { canonicalSerial } from '../serial';
import {
  BasicOcspResponse,
  CertStatus,
  ID_PKIX_OCSP_BASIC,
  ID_PKIX_OCSP_NONCE,
  OcspRequest,
  OcspResponse,
  OcspResponseStatus,
  ResponseBytes,
  ResponderId,
  ResponseData,
  RevokedInfo,
  SingleResponse,
  type CertId,
} from './ocsp-asn1';

/** Status of one certificate as the responder reports it. */
export type OcspCertificateStatus =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reasonCode: number }
  | { status: 'unknown' };

/** Looks up the status of certificates by canonical serial; absent serials are unknown. */
export type OcspStatusLookup = (serials: string[]) => Promise<Map<string, OcspCertificateStatus>>;

/** Largest number of certificates one request may ask about. */
export const MAX_OCSP_REQUESTS = 20;

/** How long a response may be cached (thisUpdate to nextUpdate). */
export const OCSP_RESPONSE_VALIDITY_MS = 60 * 60 * 1000;

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** Hash algorithms accepted in a CertID, by OID; OpenSSL and most clients send SHA-1. */
const CERT_ID_HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/**
 * Answers a DER OCSPRequest (RFC 6960) with a DER OCSPResponse signed by the delegated
 * responder key. A request that does not parse, asks about no certificate or about
 * more than 20 gets `malformedRequest` without a signature. A CertID of another
 * issuer, or with a hash algorithm other than SHA-1 or SHA-2, gets `unknown`. A nonce
 * in the request is echoed. Request signatures are not checked, because the
 * status of a certificate is public.
 */
export async function respondOcsp(options: {
  requestDer: Uint8Array;
  caCertPem: string;
  responderCertPem: string;
  responderKeyPem: string;
  lookup: OcspStatusLookup;
  now?: Date;
}): Promise<Buffer> {
  let request: OcspRequest;
  try {
    request = AsnConvert.parse(options.requestDer, OcspRequest);
  } catch {
    return unsignedResponse(OcspResponseStatus.malformedRequest);
  }

  const items = request.tbsRequest.requestList;
  if (items.length === 0 || items.length > MAX_OCSP_REQUESTS) {
    return unsignedResponse(OcspResponseStatus.malformedRequest);
  }

  const issuer = issuerIdentity(options.caCertPem);
  const serials = items.map((item) => serialOf(item.reqCert));
  const statuses = await options.lookup(serials.filter((serial): serial is string => serial !== null));

  const now = wholeSeconds(options.now ?? new Date());
  const responses = items.map((item, index) => {
    const serial = serials[index] ?? null;
    const known = serial !== null && matchesIssuer(item.reqCert, issuer);
    const status = known ? (statuses.get(serial) ?? { status: 'unknown' as const }) : { status: 'unknown' as const };
    return singleResponse(item.reqCert, status, now);
  });

  const responder = parseCertificate(options.responderCertPem);
  const data = new ResponseData();
  data.responderId = new ResponderId();
  data.responderId.byKey = new OctetString(sha1(responder.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey));
  data.producedAt = now;
  data.responses = responses;
  const nonce = request.tbsRequest.requestExtensions?.find((extension) => extension.extnID === ID_PKIX_OCSP_NONCE);
  if (nonce) {
    data.responseExtensions = [new Extension({ extnID: ID_PKIX_OCSP_NONCE, critical: false, extnValue: nonce.extnValue })];
  }

  const signedPart = Buffer.from(AsnConvert.serialize(data));
  const basic = new BasicOcspResponse();
  basic.tbsResponseData = data;
  basic.signatureAlgorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  // Node.js emits ECDSA signatures as DER Ecdsa-Sig-Value, the form X.509 and OCSP use.
  basic.signature = toArrayBuffer(sign('sha256', signedPart, createPrivateKey(options.responderKeyPem)));
  basic.certs = [responder];

  const response = new OcspResponse();
  response.responseStatus = OcspResponseStatus.successful;
  response.responseBytes = new ResponseBytes();
  response.responseBytes.responseType = ID_PKIX_OCSP_BASIC;
  response.responseBytes.response = new OctetString(AsnConvert.serialize(basic));
  return Buffer.from(AsnConvert.serialize(response));
}

/** Returns an OCSPResponse without responseBytes, as RFC 6960 prescribes for every status except successful. */
export function unsignedResponse(status: number): Buffer {
  const response = new OcspResponse();
  response.responseStatus = status;
  return Buffer.from(AsnConvert.serialize(response));
}

interface IssuerIdentity {
  nameDer: Buffer;
  keyBits: Buffer;
}

function issuerIdentity(caCertPem: string): IssuerIdentity {
  const ca = parseCertificate(caCertPem);
  return {
    nameDer: Buffer.from(AsnConvert.serialize(ca.tbsCertificate.subject)),
    keyBits: Buffer.from(ca.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
  };
}

function matchesIssuer(certId: CertId, issuer: IssuerIdentity): boolean {
  const hash = CERT_ID_HASHES[certId.hashAlgorithm.algorithm];
  if (hash === undefined) {
    return false;
  }
  const nameHash = createHash(hash).update(issuer.nameDer).digest();
  const keyHash = createHash(hash).update(issuer.keyBits).digest();
  return nameHash.equals(Buffer.from(certId.issuerNameHash.buffer)) && keyHash.equals(Buffer.from(certId.issuerKeyHash.buffer));
}

function serialOf(certId: CertId): string | null {
  const hex = Buffer.from(certId.serialNumber).toString('hex');
  return hex === '' ? null : canonicalSerial(hex);
}

function singleResponse(certId: CertId, status: OcspCertificateStatus, now: Date): SingleResponse {
  const single = new SingleResponse();
  single.certId = certId;
  single.certStatus = new CertStatus();
  if (status.status === 'good') {
    single.certStatus.good = null;
  } else if (status.status === 'revoked') {
    single.certStatus.revoked = new RevokedInfo();
    single.certStatus.revoked.revocationTime = wholeSeconds(status.revokedAt);
    single.certStatus.revoked.revocationReason = status.reasonCode;
  } else {
    single.certStatus.unknown = null;
  }
  single.thisUpdate = now;
  single.nextUpdate = new Date(now.getTime() + OCSP_RESPONSE_VALIDITY_MS);
  return single;
}

function parseCertificate(pem: string): Certificate {
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return AsnConvert.parse(Buffer.from(base64, 'base64'), Certificate);
}

function sha1(data: ArrayBuffer): Buffer {
  return createHash('sha1').update(Buffer.from(data)).digest();
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
