import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';

import { authorityKeyIdentifier } from './authority-key-id';
import { ECDSA_SHA256, importP256PrivateKeyPem } from './keys';
import { webcrypto } from './webcrypto';
import * as x509 from './x509';

/** One revoked certificate as it appears in a CRL. */
export interface CrlEntry {
  /** Serial in canonical form (lowercase hex without leading zeros). */
  serial: string;
  revokedAt: Date;
  /** RFC 5280 CRLReason code. */
  reasonCode: number;
}

/**
 * Signs a v2 CRL of the internal CA with a CRL number and the CA's authority key
 * identifier, both of which RFC 5280 section 5.2 requires. An entry with reason code 0
 * (unspecified) carries no reason extension, as section 5.3.1 recommends.
 */
export async function buildCrl(options: {
  caCertPem: string;
  caKeyPem: string;
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: CrlEntry[];
}): Promise<{ der: Buffer; pem: string }> {
  const caCert = new x509.X509Certificate(options.caCertPem);
  const signingKey = await importP256PrivateKeyPem(options.caKeyPem);
  const crlNumber = new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(options.number)));

  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: caCert.subjectName,
      thisUpdate: options.thisUpdate,
      nextUpdate: options.nextUpdate,
      signingAlgorithm: ECDSA_SHA256,
      signingKey,
      extensions: [await authorityKeyIdentifier(caCert), crlNumber],
      entries: options.entries.map((entry) => ({
        serialNumber: evenLengthHex(entry.serial),
        revocationDate: entry.revokedAt,
        ...(entry.reasonCode === 0 ? {} : { reason: entry.reasonCode as x509.X509CrlReason }),
      })),
    },
    webcrypto,
  );

  return { der: Buffer.from(crl.rawData), pem: crl.toString('pem') };
}

/** Pads a canonical serial to whole octets, since the generator parses hex two digits at a time. */
function evenLengthHex(serial: string): string {
  return serial.length % 2 === 0 ? serial : `0${serial}`;
}
