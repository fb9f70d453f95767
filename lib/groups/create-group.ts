import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { postgresErrorCode, UNIQUE_VIOLATION } from '@/lib/auth/mfa/shared';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';
import { ConflictError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { groupDescriptionField, groupNameField } from './group-fields';

export const createGroupInput = z
  .object({
    name: groupNameField,
    description: groupDescriptionField.default(''),
  })
  .strict();

/**
 * Creates an empty host group. Admin only. Names are unique without regard to case,
 * so a taken name raises ConflictError naming the field. Writes `group.create` in
 * the same transaction.
 */
export async function createGroup(ctx: Context, input: unknown): Promise<{ id: string; name: string }> {
  assertAdmin(ctx);
  const request = parseInput(createGroupInput, input, 'group');

  try {
    return await ctx.db.transaction(async (tx) => {
      const [group] = await tx
        .insert(hostGroups)
        .values({ name: request.name, description: request.description })
        .returning({ id: hostGroups.id, name: hostGroups.name });
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'group.create',
        target: { kind: 'group', id: group!.id },
        details: { name: request.name, description: request.description },
      });
      return group!;
    });
  } catch (error) {
    if (postgresErrorCode(error) === UNIQUE_VIOLATION) {
      throw new ConflictError(`name: a group named ${request.name} exists; choose another name`, { field: 'name' });
    }
    throw error;
  }
}
