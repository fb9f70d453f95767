import { asc, count, eq, isNotNull } from 'drizzle-orm';
import { assertAdmin } from '@/lib/auth/assert-admin';
import type { Context, Role } from '@/lib/context';
import { mfaTotp, users, webauthnCredentials } from '@/lib/db/schema';

/** A user as the user management page shows it, without any hash or secret. */
export interface UserSummary {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  totp: boolean;
  webauthnCount: number;
}

/** Lists every console user, oldest first. Admin only. */
export async function listUsers(ctx: Context): Promise<UserSummary[]> {
  assertAdmin(ctx);

  const rows = await ctx.db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      disabledAt: users.disabledAt,
      createdAt: users.createdAt,
      lastLoginAt: users.lastLoginAt,
      totpConfirmed: mfaTotp.confirmedAt,
    })
    .from(users)
    .leftJoin(mfaTotp, eq(mfaTotp.userId, users.id))
    .orderBy(asc(users.createdAt), asc(users.username));
  const credentialCounts = await ctx.db
    .select({ userId: webauthnCredentials.userId, value: count() })
    .from(webauthnCredentials)
    .where(isNotNull(webauthnCredentials.userId))
    .groupBy(webauthnCredentials.userId);
  const credentials = new Map(credentialCounts.map((row) => [row.userId, row.value]));

  return rows.map((row) => ({
    id: row.id,
    username: row.username,
    role: row.role as Role,
    disabled: row.disabledAt !== null,
    createdAt: row.createdAt,
    lastLoginAt: row.lastLoginAt,
    totp: row.totpConfirmed !== null,
    webauthnCount: credentials.get(row.id) ?? 0,
  }));
}
