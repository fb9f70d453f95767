import type { Actor, Context } from '@/lib/context';
import { ForbiddenError } from '@/lib/errors';

/**
 * Raises ForbiddenError unless the actor may use Admin-only operations: a signed-in
 * user whose current role is admin, the local admin CLI or a system task. The role
 * in a user actor is read from the database on every request, so a demotion applies
 * at once. Every other actor kind, including agents and unauthenticated console
 * callers, is refused.
 */
export function assertAdmin(ctx: { actor: Actor } | Context): void {
  const { actor } = ctx;
  if (actor.kind === 'user' && actor.role === 'admin') {
    return;
  }
  if (actor.kind === 'cli' || actor.kind === 'system') {
    return;
  }
  throw new ForbiddenError('this action requires the Admin role');
}
