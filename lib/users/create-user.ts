import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { hashPassword } from '@/lib/auth/hash-password';
import { postgresErrorCode, UNIQUE_VIOLATION } from '@/lib/auth/mfa/shared';
import { checkPasswordPolicy } from '@/lib/auth/password-policy';
import type { Context } from '@/lib/context';
import { users } from '@/lib/db/schema';
import { ConflictError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import { newPasswordField, roleField, usernameField } from './user-fields';

export const createUserInput = z.object({ username: usernameField, password: newPasswordField, role: roleField }).strict();

/**
 * Creates a console user with a role and an initial password, which must pass the
 * password policy. Admin only. The user enrolls a second factor at the first
 * sign-in. Raises ConflictError when the username is taken.
 */
export async function createUser(ctx: Context, input: unknown): Promise<{ id: string; username: string }> {
  assertAdmin(ctx);
  const request = parseInput(createUserInput, input, 'user');
  checkPasswordPolicy(request.password, { username: request.username });
  const passwordHash = await hashPassword(request.password);

  try {
    return await ctx.db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ username: request.username, role: request.role, passwordHash, passwordChangedAt: new Date() })
        .returning({ id: users.id, username: users.username });
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'user.create',
        target: { kind: 'user', id: user!.id },
        details: { username: user!.username, role: request.role },
      });
      return user!;
    });
  } catch (error) {
    if (postgresErrorCode(error) === UNIQUE_VIOLATION) {
      throw new ConflictError(`username ${request.username} is taken; choose another`, { field: 'username' });
    }
    throw error;
  }
}
