import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { certificates, hosts } from '@/lib/db/schema';

/** Active certificates expiring within this many days are reported. */
export const EXPIRY_WARNING_DAYS = 14;

/**
 * Returns the active certificates of hosts that are not removed and that expire within
 * 14 days, soonest first. Agents renew long before that (by default at two thirds of
 * the lifetime), so a certificate in this list belongs to an agent that cannot reach
 * the server or failed to renew.
 */
export async function findExpiringCertificates(
  ctx: Context,
  now: Date = new Date(),
): Promise<{ hostId: string; hostname: string; serial: string; notAfter: Date }[]> {
  const horizon = new Date(now.getTime() + EXPIRY_WARNING_DAYS * 24 * 60 * 60 * 1000);
  return ctx.db
    .select({ hostId: certificates.hostId, hostname: hosts.hostname, serial: certificates.serial, notAfter: certificates.notAfter })
    .from(certificates)
    .innerJoin(hosts, eq(hosts.id, certificates.hostId))
    .where(and(eq(certificates.status, 'active'), isNull(hosts.removedAt), gt(certificates.notAfter, now), lt(certificates.notAfter, horizon)))
    .orderBy(certificates.notAfter);
}
