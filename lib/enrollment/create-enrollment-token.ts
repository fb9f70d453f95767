import { assertAdmin } from '@/lib/auth/assert-admin';
import { parseInput } from '@/lib/validation';
import { z } from 'zod';
import { enrollmentTokens } from '@/lib/db/schema';
import { actorLabel, type Context } from '@/lib/context';
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
 */
export async function createEnrollmentToken(
  ctx: Context,
  input: CreateEnrollmentTokenInput,
  server: { enrollUrl: string; caFingerprint: string; defaultTtlHours: number } = serverDefaults(),
): Promise<{ id: string; token: string; expiresAt: Date; enrollCommand: string; installCommand: string }> {
  assertAdmin(ctx);

  const request = parseInput(createEnrollmentTokenInput, input, 'enrollment token request');

  const token = generateEnrollmentToken();
  const ttlHours = request.ttlHours ?? server.defaultTtlHours;
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);

  const id = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(enrollmentTokens)
      .values({
        tokenHash: hashEnrollmentToken(token),
        description: request.description,
        maxUses: request.maxUses,
        expiresAt,
        createdBy: actorLabel(ctx.actor),
      })
      .returning({ id: enrollmentTokens.id });

    // The token and its hash stay out of the audit row; the row id identifies it.
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'enrollment_token.create',
      target: { kind: 'enrollment_token', id: row!.id },
      details: { description: request.description, maxUses: request.maxUses, expiresAt: expiresAt.toISOString() },
    });
    return row!.id;
  });

  return {
    id,
    token,
    expiresAt,
    enrollCommand: enrollCommand({ serverUrl: server.enrollUrl, token, caFingerprint: server.caFingerprint }),
    installCommand: installCommand({ serverUrl: server.enrollUrl, token, caFingerprint: server.caFingerprint }),
  };
}
