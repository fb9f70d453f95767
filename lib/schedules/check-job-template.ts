import { and, inArray, isNull } from 'drizzle-orm';
import { hostVisibleTo, isScoped } from '@/lib/access/host-scope';
import type { Actor } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { hosts } from '@/lib/db/schema';
import { NotFoundError, ValidationError } from '@/lib/errors';
import { createJobInput } from '@/lib/patching/create-job';
import { parseInput } from '@/lib/validation';
import type { Transaction } from '@/lib/audit/write-audit';

/** Returns the template's `hostIds` when it is a list of strings, lower-cased and without duplicates. */
export function templateHostIds(template: Record<string, unknown>): string[] | null {
  const value = template.hostIds;
  if (!Array.isArray(value) || !value.every((id): id is string => typeof id === 'string')) {
    return null;
  }
  return [...new Set(value.map((id) => id.toLowerCase()))];
}

/**
 * Checks a job template as createJob will check it when the schedule fires,
 * and that every host it names exists and is visible to the actor. Errors name
 * the field under `jobTemplate.`; an out-of-scope host is "not found", as
 * everywhere else. Operators must name hosts by id, because a template that
 * selects hosts another way cannot be checked against their groups here.
 */
export async function checkJobTemplate(db: Database | Transaction, actor: Actor, template: Record<string, unknown>): Promise<void> {
  try {
    parseInput(createJobInput, template, 'job template');
  } catch (error) {
    if (error instanceof ValidationError) {
      const field = error.field ? `jobTemplate.${error.field}` : 'jobTemplate';
      const message = error.field && error.message.startsWith(`${error.field.split('.')[0]}:`) ? `jobTemplate.${error.message}` : `jobTemplate: ${error.message}`;
      throw new ValidationError(message, { field });
    }
    throw error;
  }

  const hostIds = templateHostIds(template);
  if (hostIds === null) {
    if (isScoped(actor)) {
      // NOTE: templates that select hosts by group or filter are Admin-only until their scope can be checked for an Operator.
      throw new ValidationError('jobTemplate.hostIds: an Operator schedule must name its hosts by id', { field: 'jobTemplate.hostIds' });
    }
    return;
  }

  const found = await db
    .select({ id: hosts.id })
    .from(hosts)
    .where(and(inArray(hosts.id, hostIds), isNull(hosts.removedAt), hostVisibleTo(actor, hosts.id)));
  if (found.length !== hostIds.length) {
    const known = new Set(found.map((row) => row.id));
    const missing = hostIds.filter((id) => !known.has(id));
    throw new NotFoundError(`jobTemplate.hostIds: host not found: ${missing.slice(0, 5).join(', ')}`, { field: 'jobTemplate.hostIds' });
  }
}
