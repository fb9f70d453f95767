import { and, asc, eq, ilike, sql } from 'drizzle-orm';
import { hostPackages } from '@/lib/db/schema';
import type { Context } from '@/lib/context';
import { ValidationError } from '@/lib/errors';
import { assertHostVisible } from './find-visible-host';

/** Lists a host's installed packages by name, one page at a time. */
export async function listHostPackages(
  ctx: Context,
  input: { hostId: string; search?: string; page: number; pageSize: number },
) {
  if (!Number.isInteger(input.page) || input.page < 1) {
    throw new ValidationError('page: expected 1 or more', { field: 'page' });
  }
  if (!Number.isInteger(input.pageSize) || input.pageSize < 1 || input.pageSize > 1000) {
    throw new ValidationError('pageSize: expected 1 to 1000', { field: 'pageSize' });
  }
  await assertHostVisible(ctx, input.hostId);

  const filters = [eq(hostPackages.hostId, input.hostId)];
  const search = input.search?.trim();
  if (search) {
    filters.push(ilike(hostPackages.name, `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`));
  }
  const where = and(...filters);

  const [items, [count]] = await Promise.all([
    ctx.db
      .select({
        name: hostPackages.name,
        arch: hostPackages.arch,
        version: hostPackages.version,
        source: hostPackages.source,
        state: hostPackages.state,
        held: hostPackages.held,
        broken: hostPackages.broken,
      })
      .from(hostPackages)
      .where(where)
      .orderBy(asc(hostPackages.name), asc(hostPackages.arch))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    ctx.db.select({ total: sql<number>`count(*)::int` }).from(hostPackages).where(where),
  ]);

  return { total: count?.total ?? 0, items };
}
