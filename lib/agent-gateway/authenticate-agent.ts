import type tls from 'node:tls';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { certificates, hosts } from '@/lib/db/schema';
import type { Database } from '@/lib/db/client';
import { clientCertificateOk } from '@/lib/net/tls-options';

export type AgentIdentity =
  | { ok: true; hostId: string; serial: string; certificateDer: Buffer }
  | { ok: false; reason: string };

/**
 * Identifies the agent behind an mTLS socket. The TLS layer has already
 * verified the chain to the internal CA; this adds the checks the database
 * holds: the certificate is the host's active one (not revoked or
 * superseded), still valid, and the host has not been removed.
 */
export async function authenticateAgent(db: Database, socket: tls.TLSSocket): Promise<AgentIdentity> {
  const check = clientCertificateOk(socket);
  if (!check.ok) {
    return check;
  }

  const [row] = await db
    .select({ hostId: certificates.hostId })
    .from(certificates)
    .innerJoin(hosts, eq(hosts.id, certificates.hostId))
    .where(
      and(
        eq(certificates.serial, check.serial),
        eq(certificates.fingerprint, check.fingerprint),
        eq(certificates.status, 'active'),
        gt(certificates.notAfter, new Date()),
        isNull(hosts.removedAt),
      ),
    );

  if (!row || row.hostId !== check.hostId) {
    return { ok: false, reason: `certificate ${check.serial} is not an active certificate of host ${check.hostId}` };
  }
  return { ok: true, hostId: row.hostId, serial: check.serial, certificateDer: check.certificateDer };
}
