import { assertAdmin } from '@/lib/auth/assert-admin';
import { parseInput } from '@/lib/validation';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { enrollmentTokens, hostGroups } from '@/lib/db/schema';
import { actorLabel, type Context } from '@/lib/context';
import { NotFoundError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { writeAudit } from '@/lib/audit/write-audit';
import { installCommand } from './install-command';
import { enrollCommand, generateEnrollmentToken, hashEnrollmentToken } from './token';

export const createEnrollmentTokenInput = z
  .object({
    description: z.string().trim().max(200, { error: 'description: at most 200 characters' }).default(''),
    ttlHours: z
      .number({ error: 'ttlHours: expected a whole number of hours' })
      .int({ error: 'ttlHours: expected a whole number of hours' })
      .min(1, { error: 'ttlHours: expected at least 1 hour' })
      .max(24 * 90, { error: 'ttlHours: expected at most 2160 hours (90 days)' })
      .optional(),
    maxUses: z
      .number({ error: 'maxUses: expected a whole number' })
      .int({ error: 'maxUses: expected a whole number' })
      .min(1, { error: 'maxUses: expected at least 1' })
      .max(10_000, { error: 'maxUses: expected at most 10000' })
      .default(1),
    groupId: z.uuid({ error: 'groupId: expected a group id (UUID); leave it out to enroll hosts into no group' }).optional(),
  })
  .strict();

export type CreateEnrollmentTokenInput = z.input<typeof createEnrollmentTokenInput>;

function serverDefaults() {
  const runtime = getRuntime();
  return {
    enrollUrl: runtime.enrollUrl,
    caFingerprint: runtime.caFingerprint,
    defaultTtlHours: runtime.config.enrollmentTokenTtlHours,
  };
}

/**
 * Creates an enrollment token. The token itself is returned once, here; the
 * database keeps only its SHA-256, so a lost token cannot be shown again.
 *
 * With `groupId`, every host enrolled with the token joins that group. An unknown
 * group raises NotFoundError on the `groupId` field. The group row is share-locked
 * until the commit, so it cannot be deleted between the check and the insert.
 */
export async function createEnrollmentToken(
  ctx: Context,
  input: CreateEnrollmentTokenInput,
  server: { enrollUrl: string; caFingerprint: string; defaultTtlHours: number } = serverDefaults(),
): Promise<{
  id: string;
  token: string;
  expiresAt: Date;
  group: { id: string; name: string } | null;
  enrollCommand: string;
  installCommand: string;
}> {
  assertAdmin(ctx);

  const request = parseInput(createEnrollmentTokenInput, input, 'enrollment token request');

  const token = generateEnrollmentToken();
  const ttlHours = request.ttlHours ?? server.defaultTtlHours;
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);

  const created = await ctx.db.transaction(async (tx) => {
    let group: { id: string; name: string } | null = null;
    if (request.groupId !== undefined) {
      const [row] = await tx
        .select({ id: hostGroups.id, name: hostGroups.name })
        .from(hostGroups)
        .where(eq(hostGroups.id, request.groupId))
        .for('share');
      if (!row) {
        throw new NotFoundError(`groupId: group ${request.groupId} not found; pick an existing group, or none`, {
          field: 'groupId',
        });
      }
      group = row;
    }

    const [row] = await tx
      .insert(enrollmentTokens)
      .values({
        tokenHash: hashEnrollmentToken(token),
        description: request.description,
        maxUses: request.maxUses,
        expiresAt,
        createdBy: actorLabel(ctx.actor),
        groupId: group?.id ?? null,
      })
      .returning({ id: enrollmentTokens.id });

    // The token and its hash stay out of the audit row; the row id identifies it.
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'enrollment_token.create',
      target: { kind: 'enrollment_token', id: row!.id },
      details: {
        description: request.description,
        maxUses: request.maxUses,
        expiresAt: expiresAt.toISOString(),
        groupId: group?.id ?? null,
        groupName: group?.name ?? null,
      },
    });
    return { id: row!.id, group };
  });

  return {
    id: created.id,
    token,
    expiresAt,
    group: created.group,
    enrollCommand: enrollCommand({ serverUrl: server.enrollUrl, token, caFingerprint: server.caFingerprint }),
    installCommand: installCommand({ serverUrl: server.enrollUrl, token, caFingerprint: server.caFingerprint }),
  };
}
