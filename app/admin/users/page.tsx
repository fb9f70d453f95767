import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/console-context';
import { listGroups } from '@/lib/groups/list-groups';
import { listUserGroups } from '@/lib/groups/list-user-groups';
import { listUsers } from '@/lib/users/list-users';
import { UserManagement } from '@/components/auth/user-management';
import { ActionForm } from '@/components/groups/action-form';
import { CheckboxList } from '@/components/groups/checkbox-list';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { setUserGroupsAction } from './actions';

export const metadata: Metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const ctx = await requireAdmin();
  const [users, groups, userGroups] = await Promise.all([listUsers(ctx), listGroups(ctx), listUserGroups(ctx)]);
  return (
    <div className="flex flex-col gap-6">
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

      <Card>
        <CardHeader>
          <CardTitle>Group assignment</CardTitle>
          <CardDescription>
            Operators see and patch only the hosts of their groups; Admins see every host, and their groups apply only if they become Operators. Manage groups
            on the <Link className="underline" href="/admin/groups">Groups</Link> page.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {users.map((user) => {
            const assigned = new Set((userGroups.get(user.id) ?? []).map((group) => group.id));
            return (
              <div key={user.id} className="flex flex-col gap-2 border-b pb-4 last:border-b-0" data-testid="user-groups" data-username={user.username}>
                <p className="text-sm font-medium">
                  {user.username} <span className="text-muted-foreground">({user.role === 'admin' ? 'Admin' : 'Operator'})</span>
                </p>
                <ActionForm action={setUserGroupsAction} submitLabel="Save groups" testId={`user-groups-${user.username}`}>
                  <input type="hidden" name="userId" value={user.id} />
                  <CheckboxList
                    name="groupIds"
                    testId="user-group-choices"
                    empty="No groups exist yet."
                    choices={groups.map((group) => ({ value: group.id, label: group.name, checked: assigned.has(group.id) }))}
                  />
                </ActionForm>
              </div>
            );
          })}
        </CardContent>
      </Card>
    </div>
  );
}
