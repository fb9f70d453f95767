import { asc } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context } from '@/lib/context';
import { hostGroups } from '@/lib/db/schema';

/** Returns every host group's id and name for the SSO group mapping form (Admin only), ordered by name. */
export async function listMappableHostGroups(ctx: Context): Promise<{ id: string; name: string }[]> {
  assertAdmin(ctx);

  return ctx.db.select({ id: hostGroups.id, name: hostGroups.name }).from(hostGroups).orderBy(asc(hostGroups.name));
}
