import { and, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { revokeUserSessions } from '@/lib/auth/revoke-user-sessions';
import type { Context } from '@/lib/context';
import { users } from '@/lib/db/schema';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { roleField, userIdParam } from './user-fields';

/** Advisory lock key that serialises changes which could remove the last active Admin. */
const ADMIN_CHANGE_LOCK = 7_301_302;

export const updateUserInput = z
  .object({
    userId: userIdParam,
    role: roleField.optional(),
    disabled: z.boolean({ error: 'disabled: expected true or false' }).optional(),
  })
  .strict()
  .refine((value) => value.role !== undefined || value.disabled !== undefined, { error: 'expected role or disabled' });

/**
 * Changes a user's role or disables or enables them. Admin only. A change that would
 * leave no active Admin is refused with ConflictError; the check runs under an
 * advisory lock, so two Admins demoting each other at once cannot both succeed.
 * Disabling revokes the user's sessions in the same transaction, and the
 * per-request check refuses their access tokens at once. Every change writes
 * `user.role_change`, `user.disable` or `user.enable`. An unknown user is
 * NotFoundError.
 */
export async function updateUser(ctx: Context, input: unknown): Promise<void> {
  assertAdmin(ctx);
  const request = parseInput(updateUserInput, input, 'user change');

  await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_CHANGE_LOCK})`);
    const [user] = await tx
      .select({ id: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.id, request.userId))
      .for('update');
    if (!user) {
      throw new NotFoundError('user not found');
    }

    const disabled = request.disabled ?? user.disabledAt !== null;
    const role = request.role ?? user.role;
    const losesAdmin = user.role === 'admin' && user.disabledAt === null && (role !== 'admin' || disabled);
    if (losesAdmin) {
      const [others] = await tx
        .select({ value: count() })
        .from(users)
        .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, user.id)));
      if ((others?.value ?? 0) === 0) {
        throw new ConflictError(`${user.username} is the last active Admin; make another user Admin first`);
      }
    }

    await tx
      .update(users)
      .set({ role, disabledAt: disabled ? (user.disabledAt ?? new Date()) : null, updatedAt: new Date() })
      .where(eq(users.id, user.id));

    if (role !== user.role) {
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'user.role_change',
        target: { kind: 'user', id: user.id },
        details: { username: user.username, from: user.role, to: role },
      });
    }
    if (disabled !== (user.disabledAt !== null)) {
      if (disabled) {
        await revokeUserSessions({ actor: ctx.actor, db: tx }, { userId: user.id, reason: 'user-disabled' });
      }
      await writeAudit(tx, {
        actor: ctx.actor,
        action: disabled ? 'user.disable' : 'user.enable',
        target: { kind: 'user', id: user.id },
        details: { username: user.username },
      });
    }
  });
}
