import {
  AsnIntegerArrayBufferConverter,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  OctetString,
} from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension, GeneralName } from '@peculiar/asn1-x509';

/*
 * The OCSP structures of RFC 6960 section 4 (module OCSP-2013-88, EXPLICIT TAGS) that the
 * responder reads and writes. The decorators of @peculiar/asn1-schema are applied as
 * plain function calls after each class, so the classes compile without the
 * experimentalDecorators compiler option.
 */

/** OID of the id-pkix-ocsp-basic response type. */
export const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
/** OID of the nonce extension (RFC 8954). */
export const ID_PKIX_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
/** OID of the id-pkix-ocsp-nocheck certificate extension. */
export const ID_PKIX_OCSP_NOCHECK = '1.3.6.1.5.5.7.48.1.5';
/** OID of the id-kp-OCSPSigning extended key usage. */
export const ID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

/** OCSPResponseStatus values. */
export const OcspResponseStatus = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

function sequence(target: new () => object): void {
  AsnType({ type: AsnTypeTypes.Sequence })(target);
}

function choice(target: new () => object): void {
  AsnType({ type: AsnTypeTypes.Choice })(target);
}

type PropOptions = Parameters<typeof AsnProp>[0];

function prop(target: new () => object, name: string, options: PropOptions): void {
  AsnProp(options)(target.prototype as object, name);
}

/** CertID: identifies a certificate by hashes of its issuer and its serial number. */
export class CertId {
  hashAlgorithm = new AlgorithmIdentifier();
  issuerNameHash = new OctetString();
  issuerKeyHash = new OctetString();
  serialNumber = new ArrayBuffer(0);
}
sequence(CertId);
prop(CertId, 'hashAlgorithm', { type: AlgorithmIdentifier });
prop(CertId, 'issuerNameHash', { type: OctetString });
prop(CertId, 'issuerKeyHash', { type: OctetString });
prop(CertId, 'serialNumber', { type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter });

/** Request: one certificate whose status is asked for. */
export class SingleRequest {
  reqCert = new CertId();
  singleRequestExtensions?: Extension[];
}
sequence(SingleRequest);
prop(SingleRequest, 'reqCert', { type: CertId });
prop(SingleRequest, 'singleRequestExtensions', { type: Extension, repeated: 'sequence', context: 0, optional: true });

/** TBSRequest. */
export class TbsRequest {
  version = 0;
  requestorName?: GeneralName;
  requestList: SingleRequest[] = [];
  requestExtensions?: Extension[];
}
sequence(TbsRequest);
prop(TbsRequest, 'version', { type: AsnPropTypes.Integer, context: 0, defaultValue: 0 });
prop(TbsRequest, 'requestorName', { type: GeneralName, context: 1, optional: true });
prop(TbsRequest, 'requestList', { type: SingleRequest, repeated: 'sequence' });
prop(TbsRequest, 'requestExtensions', { type: Extension, repeated: 'sequence', context: 2, optional: true });

/** OCSPRequest. The optional signature is kept as raw DER and never checked. */
export class OcspRequest {
  tbsRequest = new TbsRequest();
  optionalSignature?: ArrayBuffer;
}
sequence(OcspRequest);
prop(OcspRequest, 'tbsRequest', { type: TbsRequest });
prop(OcspRequest, 'optionalSignature', { type: AsnPropTypes.Any, context: 0, optional: true });

/** RevokedInfo. */
export class RevokedInfo {
  revocationTime = new Date();
  revocationReason?: number;
}
sequence(RevokedInfo);
prop(RevokedInfo, 'revocationTime', { type: AsnPropTypes.GeneralizedTime });
prop(RevokedInfo, 'revocationReason', { type: AsnPropTypes.Enumerated, context: 0, optional: true });

/** CertStatus: exactly one of the three members is set. */
export class CertStatus {
  good?: null;
  revoked?: RevokedInfo;
  unknown?: null;
}
choice(CertStatus);
prop(CertStatus, 'good', { type: AsnPropTypes.Null, context: 0, implicit: true });
prop(CertStatus, 'revoked', { type: RevokedInfo, context: 1, implicit: true });
prop(CertStatus, 'unknown', { type: AsnPropTypes.Null, context: 2, implicit: true });

/** SingleResponse. */
export class SingleResponse {
  certId = new CertId();
  certStatus = new CertStatus();
  thisUpdate = new Date();
  nextUpdate?: Date;
}
sequence(SingleResponse);
prop(SingleResponse, 'certId', { type: CertId });
prop(SingleResponse, 'certStatus', { type: CertStatus });
prop(SingleResponse, 'thisUpdate', { type: AsnPropTypes.GeneralizedTime });
prop(SingleResponse, 'nextUpdate', { type: AsnPropTypes.GeneralizedTime, context: 0, optional: true });

/** ResponderID, of which only byKey (SHA-1 of the responder's public key bits) is produced. */
export class ResponderId {
  byKey?: OctetString;
}
choice(ResponderId);
prop(ResponderId, 'byKey', { type: OctetString, context: 2 });

/** ResponseData (the signed part of a basic response). */
export class ResponseData {
  version = 0;
  responderId = new ResponderId();
  producedAt = new Date();
  responses: SingleResponse[] = [];
  responseExtensions?: Extension[];
}
sequence(ResponseData);
prop(ResponseData, 'version', { type: AsnPropTypes.Integer, context: 0, defaultValue: 0 });
prop(ResponseData, 'responderId', { type: ResponderId });
prop(ResponseData, 'producedAt', { type: AsnPropTypes.GeneralizedTime });
prop(ResponseData, 'responses', { type: SingleResponse, repeated: 'sequence' });
prop(ResponseData, 'responseExtensions', { type: Extension, repeated: 'sequence', context: 1, optional: true });

/** BasicOCSPResponse. */
export class BasicOcspResponse {
  tbsResponseData = new ResponseData();
  signatureAlgorithm = new AlgorithmIdentifier();
  signature = new ArrayBuffer(0);
  certs?: Certificate[];
}
sequence(BasicOcspResponse);
prop(BasicOcspResponse, 'tbsResponseData', { type: ResponseData });
prop(BasicOcspResponse, 'signatureAlgorithm', { type: AlgorithmIdentifier });
prop(BasicOcspResponse, 'signature', { type: AsnPropTypes.BitString });
prop(BasicOcspResponse, 'certs', { type: Certificate, repeated: 'sequence', context: 0, optional: true });

/** ResponseBytes. */
export class ResponseBytes {
  responseType = ID_PKIX_OCSP_BASIC;
  response = new OctetString();
}
sequence(ResponseBytes);
prop(ResponseBytes, 'responseType', { type: AsnPropTypes.ObjectIdentifier });
prop(ResponseBytes, 'response', { type: OctetString });

/** OCSPResponse. */
export class OcspResponse {
  responseStatus: number = OcspResponseStatus.successful;
  responseBytes?: ResponseBytes;
}
sequence(OcspResponse);
prop(OcspResponse, 'responseStatus', { type: AsnPropTypes.Enumerated });
prop(OcspResponse, 'responseBytes', { type: ResponseBytes, context: 0, optional: true });
