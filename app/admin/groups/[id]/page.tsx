import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdmin } from '@/lib/console-context';
import { NotFoundError } from '@/lib/errors';
import { getGroup } from '@/lib/groups/get-group';
import { listHostChoices } from '@/lib/groups/list-host-choices';
import { ActionForm } from '@/components/groups/action-form';
import { CheckboxList } from '@/components/groups/checkbox-list';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { deleteGroupAction, setGroupHostsAction, updateGroupAction } from '../actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Group' };

async function loadGroup(groupId: string) {
  const ctx = await requireAdmin();
  try {
    return await Promise.all([getGroup(ctx, { groupId }), listHostChoices(ctx)]);
  } catch (error) {
    if (error instanceof NotFoundError) {
      notFound();
    }
    throw error;
  }
}

export default async function GroupPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [group, hosts] = await loadGroup(id);
  const members = new Set(group.hosts.map((host) => host.id));

  return (
    <div className="flex flex-col gap-4">
      <div>
        <p className="text-sm text-muted-foreground">
          <Link className="hover:underline" href="/admin/groups">
            Groups
          </Link>{' '}
          /
        </p>
        <h1 className="text-2xl font-semibold" data-testid="group-name">
          {group.name}
        </h1>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Name and description</CardTitle>
        </CardHeader>
        <CardContent>
          <ActionForm action={updateGroupAction} submitLabel="Save" testId="update-group" className="grid gap-3 md:grid-cols-[1fr_2fr_auto] md:items-end">
            <input type="hidden" name="groupId" value={group.id} />
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="group-name">Name</Label>
              <Input id="group-name" name="name" required maxLength={100} defaultValue={group.name} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="group-description">Description</Label>
              <Input id="group-description" name="description" maxLength={1000} defaultValue={group.description} />
            </div>
          </ActionForm>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Hosts</CardTitle>
          <CardDescription>
            {group.hosts.length} of {hosts.length} hosts are members. Saving replaces the member list with the checked hosts.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ActionForm action={setGroupHostsAction} submitLabel="Save hosts" testId="group-hosts">
            <input type="hidden" name="groupId" value={group.id} />
            <CheckboxList
              name="hostIds"
              testId="group-host-choices"
              empty="No hosts are enrolled yet."
              choices={hosts.map((host) => ({ value: host.id, label: host.hostname, checked: members.has(host.id) }))}
            />
          </ActionForm>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Users</CardTitle>
          <CardDescription>Assign users to groups on the <Link className="underline" href="/admin/users">Users</Link> page.</CardDescription>
        </CardHeader>
        <CardContent>
          {group.users.length === 0 ? (
            <p className="text-sm text-muted-foreground">No users are assigned to this group.</p>
          ) : (
            <ul className="text-sm" data-testid="group-users">
              {group.users.map((user) => (
                <li key={user.id}>
                  {user.username} <span className="text-muted-foreground">({user.role === 'admin' ? 'Admin' : 'Operator'})</span>
                </li>
              ))}
            </ul>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Delete the group</CardTitle>
          <CardDescription>The hosts and users stay; Operators of this group lose sight of hosts that no other group of theirs holds.</CardDescription>
        </CardHeader>
        <CardContent>
          <ActionForm action={deleteGroupAction} submitLabel="Delete group" pendingLabel="Deleting…" variant="destructive" testId="delete-group">
            <input type="hidden" name="groupId" value={group.id} />
          </ActionForm>
        </CardContent>
      </Card>
    </div>
  );
}
