import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { writeAudit } from '@/lib/audit/write-audit';
import { actorLabel, type Context } from '@/lib/context';
import { enrollmentTokens, hosts } from '@/lib/db/schema';
import { enrollCommand, generateEnrollmentToken, hashEnrollmentToken } from '@/lib/enrollment/token';
import { NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';

const reenrollInput = z.object({ hostId: z.uuid({ error: 'hostId: expected a UUID' }) }).strict();

/** Lifetime of a re-enrollment token. */
export const REENROLL_TOKEN_TTL_HOURS = 24;

/**
 * Issues a one-use enrollment token for installing a new certificate on a host whose
 * key was lost or whose certificate was revoked, and returns the `pm-agent enroll
 * --force` command to run there. The token is bound to the host, so enrolling with
 * it keeps the host's id, groups and history and supersedes its active certificates.
 * Writes `enrollment_token.create` with the token's row id (never the token); the
 * enrollment itself writes `certificate.issue`. Admin only.
 */
export async function createReenrollToken(
  ctx: Context,
  input: { hostId: string },
  server: { enrollUrl: string; caFingerprint: string },
): Promise<{ tokenId: string; enrollCommand: string; expiresAt: Date }> {
  assertAdmin(ctx);
  const { hostId } = parseInput(reenrollInput, input, 're-enrollment request');
  const token = generateEnrollmentToken();
  const expiresAt = new Date(Date.now() + REENROLL_TOKEN_TTL_HOURS * 3_600_000);

  const tokenId = await ctx.db.transaction(async (tx) => {
    const [host] = await tx
      .select({ hostname: hosts.hostname })
      .from(hosts)
      .where(and(eq(hosts.id, hostId), isNull(hosts.removedAt)));
    if (!host) {
      throw new NotFoundError('host not found');
    }

    const [row] = await tx
      .insert(enrollmentTokens)
      .values({
        tokenHash: hashEnrollmentToken(token),
        description: `re-enroll ${host.hostname}`.slice(0, 200),
        maxUses: 1,
        expiresAt,
        createdBy: actorLabel(ctx.actor),
        hostId,
      })
      .returning({ id: enrollmentTokens.id });

    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'enrollment_token.create',
      target: { kind: 'enrollment_token', id: row!.id },
      details: { purpose: 're-enroll', hostId, hostname: host.hostname, maxUses: 1, expiresAt: expiresAt.toISOString() },
    });
    return row!.id;
  });

  const command = enrollCommand({ serverUrl: server.enrollUrl, token, caFingerprint: server.caFingerprint });
  return { tokenId, enrollCommand: `${command} --force`, expiresAt };
}
