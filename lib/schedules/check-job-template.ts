import { and, inArray, isNull } from 'drizzle-orm';
import { hostVisibleTo, isScoped } from '@/lib/access/host-scope';
import type { Actor } from '@/lib/context';
import type { Database } from '@/lib/db/client';
import { hosts } from '@/lib/db/schema';
import { NotFoundError, ValidationError } from '@/lib/errors';
import { createJobInput } from '@/lib/patching/create-job';
import { resolveJobScope } from '@/lib/patching/resolve-job-scope';
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
 * the field under `jobTemplate.`; an out-of-scope host or group is "not found",
 * as everywhere else. A group or filter template of an Operator is resolved as
 * that Operator, so it must name only their groups and match at least one host.
 */
export async function checkJobTemplate(db: Database | Transaction, actor: Actor, template: Record<string, unknown>): Promise<void> {
  let request;
  try {
    request = parseInput(createJobInput, template, 'job template');
  } catch (error) {
    throw asTemplateError(error);
  }

  const hostIds = templateHostIds(template);
  if (hostIds === null) {
    if (isScoped(actor)) {
      try {
        await resolveJobScope(db as Transaction, actor, request);
      } catch (error) {
        throw asTemplateError(error);
      }
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

/** Moves a job input error under `jobTemplate.`, keeping its class; other errors pass through. */
function asTemplateError(error: unknown): unknown {
  if (!(error instanceof ValidationError) && !(error instanceof NotFoundError)) return error;
  const field = error.field ? `jobTemplate.${error.field}` : 'jobTemplate';
  const message =
    error.field && error.message.startsWith(`${error.field.split('.')[0]}:`) ? `jobTemplate.${error.message}` : `jobTemplate: ${error.message}`;
  return error instanceof ValidationError ? new ValidationError(message, { field }) : new NotFoundError(message, { field });
}
