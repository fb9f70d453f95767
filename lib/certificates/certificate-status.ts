import { inArray } from 'drizzle-orm';
import type { Database } from '@/lib/db/client';
import { certificates } from '@/lib/db/schema';
import type { OcspCertificateStatus } from '@/lib/pki/ocsp/respond-ocsp';
import { revocationReasonCode } from '@/lib/pki/revocation-reasons';

/**
 * Looks up the OCSP status of host certificates by canonical serial: `good` while
 * active, `revoked` (with time and RFC 5280 reason) when revoked or superseded.
 * Serials in `alsoGood`, such as the web listener's own certificate, are good;
 * anything else is absent from the map, which the responder reports as unknown.
 */
export async function certificateStatuses(
  db: Database,
  serials: string[],
  alsoGood: readonly string[] = [],
): Promise<Map<string, OcspCertificateStatus>> {
  const result = new Map<string, OcspCertificateStatus>();
  for (const serial of serials) {
    if (alsoGood.includes(serial)) result.set(serial, { status: 'good' });
  }
  if (serials.length === 0) {
    return result;
  }

  const rows = await db
    .select({
      serial: certificates.serial,
      status: certificates.status,
      revokedAt: certificates.revokedAt,
      reason: certificates.revocationReason,
      createdAt: certificates.createdAt,
    })
    .from(certificates)
    .where(inArray(certificates.serial, serials));

  for (const row of rows) {
    if (row.status === 'active') {
      result.set(row.serial, { status: 'good' });
    } else {
      result.set(row.serial, {
        status: 'revoked',
        revokedAt: row.revokedAt ?? row.createdAt,
        reasonCode: revocationReasonCode(row.reason),
      });
    }
  }
  return result;
}
