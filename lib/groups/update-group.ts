import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { postgresErrorCode, UNIQUE_VIOLATION } from '@/lib/auth/mfa/shared';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { groupDescriptionField, groupIdField, groupNameField } from './group-fields';

export const updateGroupInput = z
  .object({
    groupId: groupIdField,
    name: groupNameField.optional(),
    description: groupDescriptionField.optional(),
  })
  .strict()
  .refine((value) => value.name !== undefined || value.description !== undefined, {
    error: 'name: give a new name or description',
    path: ['name'],
  });

/**
 * Renames a group or changes its description. Admin only. A taken name raises
 * ConflictError and an unknown group NotFoundError. Writes `group.update` with the
 * old and new values of the changed fields; a request that changes nothing
 * writes no row.
 */
export async function updateGroup(ctx: Context, input: unknown): Promise<void> {
  assertAdmin(ctx);
  const request = parseInput(updateGroupInput, input, 'group change');

  try {
    await ctx.db.transaction(async (tx) => {
      const [group] = await tx
        .select({ name: hostGroups.name, description: hostGroups.description })
        .from(hostGroups)
        .where(eq(hostGroups.id, request.groupId))
        .for('update');
      if (!group) {
        throw new NotFoundError('group not found');
      }

      const name = request.name ?? group.name;
      const description = request.description ?? group.description;
      if (name === group.name && description === group.description) {
        return;
      }

      await tx.update(hostGroups).set({ name, description, updatedAt: sql`now()` }).where(eq(hostGroups.id, request.groupId));
      const changes: Record<string, { from: string; to: string }> = {};
      if (name !== group.name) changes.name = { from: group.name, to: name };
      if (description !== group.description) changes.description = { from: group.description, to: description };
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'group.update',
        target: { kind: 'group', id: request.groupId },
        details: { name, changes },
      });
    });
  } catch (error) {
    if (postgresErrorCode(error) === UNIQUE_VIOLATION) {
      throw new ConflictError(`name: a group named ${request.name ?? ''} exists; choose another name`, { field: 'name' });
    }
    throw error;
  }
}
