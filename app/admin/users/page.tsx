import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/console-context';
import { listUsers } from '@/lib/users/list-users';
import { UserManagement } from '@/components/auth/user-management';

export const metadata: Metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const ctx = await requireAdmin();
  const users = await listUsers(ctx);
  return (
    <UserManagement
      currentUserId={ctx.actor.userId}
      users={users.map((user) => ({
        id: user.id,
        username: user.username,
        role: user.role,
        disabled: user.disabled,
        factors: [user.totp ? 'authenticator app' : null, user.webauthnCount > 0 ? `${user.webauthnCount} security key(s)` : null].filter((v): v is string => v !== null),
        lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      }))}
    />
  );
}
