import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import type { Context } from '@/lib/context';
import { hosts } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { notifyPkiEvent } from './certificate-events';

const renewalRequestInput = z.object({ hostId: z.uuid({ error: 'hostId: expected a UUID' }) }).strict();

/**
 * Asks a host's agent to renew its certificate now. The server never has the agent's
 * private key, so it cannot re-issue on its own. It sends `renew-certificate` down the
 * agent channel from the server process that has it open. The agent then makes a new
 * key pair and renews over mTLS, which writes `certificate.renew`. This call writes
 * `certificate.renew_request`. An agent that is offline is not asked again later.
 * Raises NotFoundError for an unknown or removed host. Admin only.
 */
export async function requestCertificateRenewal(ctx: Context, input: { hostId: string }): Promise<{ hostId: string }> {
  assertAdmin(ctx);
  const { hostId } = parseInput(renewalRequestInput, input, 'renewal request');

  return ctx.db.transaction(async (tx) => {
    const [host] = await tx
      .select({ hostname: hosts.hostname })
      .from(hosts)
      .where(and(eq(hosts.id, hostId), isNull(hosts.removedAt)));
    if (!host) {
      throw new NotFoundError('host not found');
    }

    await notifyPkiEvent(tx, { kind: 'renew-request', hostId });
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'certificate.renew_request',
      target: { kind: 'host', id: hostId },
      details: { hostname: host.hostname },
    });
    return { hostId };
  });
}
