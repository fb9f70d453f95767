import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { certificates, hosts } from '@/lib/db/schema';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';

const bundleInput = z.object({ certificateId: z.uuid({ error: 'certificateId: expected a UUID' }) }).strict();

/**
 * Builds the download bundle of a host certificate for a manual install: the host
 * certificate followed by the internal CA certificate, both PEM. The bundle has no
 * private key, because the key is generated on the host and never leaves it. A host
 * installed by hand keeps the key it made the CSR with. Writes `certificate.download`.
 * Raises NotFoundError for an unknown certificate and ConflictError for a row stored
 * without its PEM (issued before the server kept certificates). Admin only.
 */
export async function certificateBundle(
  ctx: Context,
  input: { certificateId: string },
  caCertPem: string,
): Promise<{ fileName: string; pem: string }> {
  assertAdmin(ctx);
  const { certificateId } = parseInput(bundleInput, input, 'certificate download');

  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ pem: certificates.pem, serial: certificates.serial, hostId: certificates.hostId, hostname: hosts.hostname })
      .from(certificates)
      .innerJoin(hosts, eq(hosts.id, certificates.hostId))
      .where(eq(certificates.id, certificateId));
    if (!row) {
      throw new NotFoundError('certificate not found');
    }
    if (row.pem === null) {
      throw new ConflictError('this certificate was issued before the server kept certificates; renew it to download one');
    }

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'certificate.download',
      target: { kind: 'certificate', id: certificateId },
      details: { hostId: row.hostId, serial: row.serial },
    });

    const safeName = row.hostname.replace(/[^A-Za-z0-9._-]/g, '_');
    return { fileName: `${safeName}-${row.serial}.pem`, pem: `${row.pem.trim()}\n${caCertPem.trim()}\n` };
  });
}
