import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { certificates } from '@/lib/db/schema';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { REVOCATION_REASON_NAMES, type RevocationReason } from '@/lib/pki/revocation-reasons';
import { canonicalSerial } from '@/lib/pki/serial';
import { parseInput } from '@/lib/validation';
import { notifyRevocation } from './certificate-events';

const reasonSchema = z.enum(REVOCATION_REASON_NAMES, {
  error: `reason: expected one of ${REVOCATION_REASON_NAMES.join(', ')}`,
});

/**
 * A revocation names the certificate by id or by serial. One object with a refinement,
 * not a union, so a bad reason or a bad id is reported on its field.
 */
export const revokeCertificateInput = z
  .object({
    certificateId: z.uuid({ error: 'certificateId: expected a UUID' }).optional(),
    serial: z.string().regex(/^[0-9a-fA-F:]{1,64}$/, { error: 'serial: expected hexadecimal digits' }).optional(),
    reason: reasonSchema,
  })
  .strict()
  .refine((request) => (request.certificateId === undefined) !== (request.serial === undefined), {
    error: 'certificateId: send exactly one of certificateId and serial',
    path: ['certificateId'],
  });

export type RevokeCertificateInput = z.input<typeof revokeCertificateInput>;

/**
 * Revokes one host certificate by id or serial with an RFC 5280 reason. The status
 * change, the audit row `certificate.revoke` and a `pm_revocations` notification
 * commit together. On that notification every server process closes the agent
 * channels opened with this certificate and rebuilds the agent listener's CRL. The
 * database check on every agent request refuses the certificate from the commit on.
 *
 * A superseded certificate may be revoked again to record a stronger reason such as
 * keyCompromise. Raises NotFoundError for an unknown certificate and ConflictError
 * for one already revoked. Admin only.
 */
export async function revokeCertificate(
  ctx: Context,
  input: RevokeCertificateInput,
): Promise<{ certificateId: string; serial: string; hostId: string; reason: RevocationReason; revokedAt: Date }> {
  assertAdmin(ctx);
  const request = parseInput(revokeCertificateInput, input, 'revocation request');
  const match =
    request.certificateId !== undefined
      ? eq(certificates.id, request.certificateId)
      : eq(certificates.serial, canonicalSerial(request.serial!));

  return ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ id: certificates.id, hostId: certificates.hostId, serial: certificates.serial, status: certificates.status })
      .from(certificates)
      .where(match)
      .for('update');
    if (!current) {
      throw new NotFoundError('certificate not found');
    }
    if (current.status === 'revoked') {
      throw new ConflictError(`certificate ${current.serial} is already revoked`);
    }

    const [updated] = await tx
      .update(certificates)
      .set({ status: 'revoked', revokedAt: sql`now()`, revocationReason: request.reason })
      .where(eq(certificates.id, current.id))
      .returning({ revokedAt: certificates.revokedAt });

    // Its channel closes with the revocation, and without another active
    // certificate the host cannot connect again, so it shows as offline at once.
    await tx.execute(sql`
      update hosts set status = 'offline'
      where id = ${current.hostId}::uuid and status <> 'offline'
        and not exists (select 1 from certificates c where c.host_id = ${current.hostId}::uuid and c.status = 'active')`);
    await notifyRevocation(tx, { kind: 'revoked', serials: [current.serial], reason: request.reason });
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'certificate.revoke',
      target: { kind: 'certificate', id: current.id },
      details: { hostId: current.hostId, serial: current.serial, reason: request.reason, previousStatus: current.status },
    });

    return {
      certificateId: current.id,
      serial: current.serial,
      hostId: current.hostId,
      reason: request.reason,
      revokedAt: updated!.revokedAt!,
    };
  });
}
