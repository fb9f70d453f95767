import { and, count, eq, isNull } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { recoveryCodes } from '@/lib/db/schema';
import { parseInput } from '@/lib/validation';
import { userIdField } from './shared';

/** Counts the user's recovery codes that are not used yet; 0 for an unknown user. */
export async function remainingRecoveryCodes(ctx: Context, userId: string): Promise<number> {
  const id = parseInput(userIdField, userId, 'user id');

  const [row] = await ctx.db
    .select({ remaining: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, id), isNull(recoveryCodes.usedAt)));

  return row?.remaining ?? 0;
}
