import { z } from 'zod';
import { writeAudit } from '@/lib/audit/write-audit';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { postgresErrorCode, UNIQUE_VIOLATION } from '@/lib/auth/mfa/shared';
import { actorLabel, type Context } from '@/lib/context';
import { approvedCommands } from '@/lib/db/schema';
import { ConflictError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';

export const createCommandInput = z
  .object({
    name: z
      .string({ error: 'name: expected text' })
      .trim()
      .min(1, { error: 'name: must not be empty' })
      .max(100, { error: 'name: at most 100 characters' }),
    argv: z
      .array(
        z.string({ error: 'argv: each argument must be text' }).min(1, { error: 'argv: arguments must not be empty' }).max(4096, { error: 'argv: each argument has at most 4096 characters' }),
        { error: 'argv: expected a list of arguments, the program first' },
      )
      .min(1, { error: 'argv: name at least the program' })
      .max(64, { error: 'argv: at most 64 arguments' })
      .refine((argv) => argv[0]?.startsWith('/') ?? false, { error: 'argv: the program must be an absolute path such as /usr/bin/systemctl' }),
    timeoutSeconds: z
      .number({ error: 'timeoutSeconds: expected a number of seconds' })
      .int({ error: 'timeoutSeconds: expected a whole number of seconds' })
      .min(1, { error: 'timeoutSeconds: expected at least 1' })
      .max(86_400, { error: 'timeoutSeconds: expected at most 86400 (24 hours)' })
      .default(300),
  })
  .strict();

export type CreateCommandInput = z.input<typeof createCommandInput>;

/**
 * Adds a command to the approved list that jobs may run before or after patching.
 * Admin only, audited as `command.create`. The agent runs argv without a shell, so
 * the program is an absolute path and no argument is ever shell-parsed. Raises
 * ConflictError when another command has the same name, ignoring case.
 */
export async function createCommand(ctx: Context, input: CreateCommandInput): Promise<{ id: string }> {
  assertAdmin(ctx);
  const request = parseInput(createCommandInput, input, 'command');

  try {
    return await ctx.db.transaction(async (tx) => {
      const [command] = await tx
        .insert(approvedCommands)
        .values({ name: request.name, argv: request.argv, timeoutSeconds: request.timeoutSeconds, createdBy: actorLabel(ctx.actor) })
        .returning({ id: approvedCommands.id });
      await writeAudit(tx, {
        actor: ctx.actor,
        action: 'command.create',
        target: { kind: 'command', id: command!.id },
        details: { name: request.name, argv: request.argv, timeoutSeconds: request.timeoutSeconds },
      });
      return { id: command!.id };
    });
  } catch (error) {
    if (postgresErrorCode(error) === UNIQUE_VIOLATION) {
      throw new ConflictError(`name: an approved command named ${request.name} already exists; choose another name`, { field: 'name' });
    }
    throw error;
  }
}
