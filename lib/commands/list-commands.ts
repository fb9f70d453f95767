import { asc } from 'drizzle-orm';
import type { Context } from '@/lib/context';
import { approvedCommands } from '@/lib/db/schema';
import { ForbiddenError } from '@/lib/errors';

export interface ApprovedCommand {
  id: string;
  name: string;
  argv: string[];
  timeoutSeconds: number;
  createdBy: string;
  createdAt: Date;
}

/**
 * Lists the approved commands by name, for the job form and the Admin page. Every
 * console user may read the list, because Operators choose commands for their jobs;
 * agents may not.
 */
export async function listCommands(ctx: Context): Promise<ApprovedCommand[]> {
  if (ctx.actor.kind === 'agent') {
    throw new ForbiddenError('an agent cannot list approved commands');
  }

  return ctx.db
    .select({
      id: approvedCommands.id,
      name: approvedCommands.name,
      argv: approvedCommands.argv,
      timeoutSeconds: approvedCommands.timeoutSeconds,
      createdBy: approvedCommands.createdBy,
      createdAt: approvedCommands.createdAt,
    })
    .from(approvedCommands)
    .orderBy(asc(approvedCommands.name));
}
