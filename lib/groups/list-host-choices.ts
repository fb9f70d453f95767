import { asc, isNull } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hosts } from '@/lib/db/schema';

/**
 * Lists every enrolled host (removed ones left out) by hostname with only its id
 * and name, for the form that chooses a group's hosts. The form sends the whole
 * member set, so it must offer every host rather than one page. Admin only.
 */
export async function listHostChoices(ctx: Context): Promise<{ id: string; hostname: string }[]> {
  assertAdmin(ctx);
  return ctx.db
    .select({ id: hosts.id, hostname: hosts.hostname })
    .from(hosts)
    .where(isNull(hosts.removedAt))
    .orderBy(asc(hosts.hostname), asc(hosts.id));
}
