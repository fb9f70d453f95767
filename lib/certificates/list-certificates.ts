import { desc, eq } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { certificates, hosts } from '@/lib/db/schema';

/** One host certificate as the Certificates page lists it. */
export interface CertificateListItem {
  id: string;
  hostId: string;
  hostname: string;
  hostRemoved: boolean;
  serial: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  status: 'active' | 'revoked' | 'superseded';
  revokedAt: Date | null;
  revocationReason: string | null;
  createdAt: Date;
}

/** Largest number of certificates one call returns. */
export const MAX_LISTED_CERTIFICATES = 1000;

/**
 * Lists host certificates, newest first, with their host's name. Superseded and
 * revoked certificates stay listed because their serials appear in the CRL. Admin only.
 */
export async function listCertificates(ctx: Context, options: { limit?: number } = {}): Promise<CertificateListItem[]> {
  assertAdmin(ctx);
  const limit = Math.min(options.limit ?? MAX_LISTED_CERTIFICATES, MAX_LISTED_CERTIFICATES);

  const rows = await ctx.db
    .select({
      id: certificates.id,
      hostId: certificates.hostId,
      hostname: hosts.hostname,
      removedAt: hosts.removedAt,
      serial: certificates.serial,
      fingerprint: certificates.fingerprint,
      notBefore: certificates.notBefore,
      notAfter: certificates.notAfter,
      status: certificates.status,
      revokedAt: certificates.revokedAt,
      revocationReason: certificates.revocationReason,
      createdAt: certificates.createdAt,
    })
    .from(certificates)
    .innerJoin(hosts, eq(hosts.id, certificates.hostId))
    .orderBy(desc(certificates.createdAt))
    .limit(limit);

  return rows.map(({ removedAt, status, ...row }) => ({
    ...row,
    hostRemoved: removedAt !== null,
    status: status as CertificateListItem['status'],
  }));
}
