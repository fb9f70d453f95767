import { eq } from 'drizzle-orm';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { approvedCommands } from '@/lib/db/schema';
import { NotFoundError } from '@/lib/errors';
import { UUID_PATTERN } from '@/lib/hosts/find-visible-host';

/**
 * Removes a command from the approved list. Admin only, audited as `command.delete`.
 * Jobs created earlier keep their own copy of the command and still run it; new jobs
 * can no longer choose it. Raises NotFoundError for an unknown id.
 */
export async function deleteCommand(ctx: Context, input: { commandId: string }): Promise<void> {
  assertAdmin(ctx);
  if (!UUID_PATTERN.test(input.commandId)) {
    throw new NotFoundError('approved command not found');
  }

  await ctx.db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(approvedCommands)
      .where(eq(approvedCommands.id, input.commandId))
      .returning({ id: approvedCommands.id, name: approvedCommands.name });
    if (!deleted) {
      throw new NotFoundError('approved command not found');
    }
    await writeAudit(tx, {
      actor: ctx.actor,
      action: 'command.delete',
      target: { kind: 'command', id: deleted.id },
      details: { name: deleted.name },
    });
  });
}
