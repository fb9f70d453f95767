/**
 * CRLReason values of RFC 5280 section 5.3.1 that an Admin may choose, by their ASN.1
 * names. cACompromise and aACompromise concern the CA itself, certificateHold would make
 * a revocation reversible, and removeFromCRL belongs to delta CRLs, so none of them is
 * offered. `superseded` is also what renewal records for the replaced certificate.
 */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export const REVOCATION_REASON_NAMES = Object.keys(REVOCATION_REASONS) as [RevocationReason, ...RevocationReason[]];

/** Returns the RFC 5280 reason code of a stored reason name; unknown or missing names map to unspecified (0). */
export function revocationReasonCode(reason: string | null): number {
  return reason !== null && reason in REVOCATION_REASONS ? REVOCATION_REASONS[reason as RevocationReason] : 0;
}
