import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { hostVisibleTo } from '@/lib/access/host-scope';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import { notifyRevocation } from '@/lib/certificates/certificate-events';
import type { Context } from '@/lib/context';
import { certificates, hosts } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';

const removeHostInput = z.object({ hostId: z.uuid({ error: 'hostId: expected a UUID' }) }).strict();

/** Reason recorded on the certificates of a removed host (RFC 5280 cessationOfOperation). */
export const REMOVED_HOST_REVOCATION_REASON = 'cessationOfOperation';

/**
 * Removes a host: sets `removed_at` (its inventory and job history stay for reports)
 * and revokes its active certificate, so the agent is refused at the next handshake
 * and its open channel is closed. The audit row `host.remove` lists the revoked
 * serials. Raises NotFoundError for an unknown or already removed host. Admin only.
 */
export async function removeHost(ctx: Context, input: { hostId: string }): Promise<{ hostId: string; revokedSerials: string[] }> {
  assertAdmin(ctx);
  const { hostId } = parseInput(removeHostInput, input, 'host removal');

  return ctx.db.transaction(async (tx) => {
    const [host] = await tx
      .update(hosts)
      .set({ removedAt: sql`now()`, status: 'offline' })
      .where(and(eq(hosts.id, hostId), isNull(hosts.removedAt), hostVisibleTo(ctx.actor, hosts.id)))
      .returning({ hostname: hosts.hostname });
    if (!host) {
      throw new NotFoundError('host not found');
    }

    const revoked = await tx
      .update(certificates)
      .set({ status: 'revoked', revokedAt: sql`now()`, revocationReason: REMOVED_HOST_REVOCATION_REASON })
      .where(and(eq(certificates.hostId, hostId), eq(certificates.status, 'active')))
      .returning({ serial: certificates.serial });
    const revokedSerials = revoked.map((row) => row.serial);

    if (revokedSerials.length > 0) {
      await notifyRevocation(tx, { kind: 'revoked', serials: revokedSerials, reason: REMOVED_HOST_REVOCATION_REASON });
    }
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'host.remove',
      target: { kind: 'host', id: hostId },
      details: { hostname: host.hostname, revokedSerials, reason: REMOVED_HOST_REVOCATION_REASON },
    });

    return { hostId, revokedSerials };
  });
}
