import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/console-context';
import { listGroups } from '@/lib/groups/list-groups';
import { ActionForm } from '@/components/groups/action-form';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { createGroupAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Groups' };

export default async function GroupsPage() {
  const ctx = await requireAdmin();
  const groups = await listGroups(ctx);

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Groups</h1>
        <p className="text-sm text-muted-foreground">
          Operators see and patch only the hosts of the groups they are assigned to. A host in no group is visible to Admins only.
        </p>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Create a group</CardTitle>
        </CardHeader>
        <CardContent>
          <ActionForm action={createGroupAction} submitLabel="Create group" pendingLabel="Creating…" testId="create-group" className="grid gap-3 md:grid-cols-[1fr_2fr_auto] md:items-end">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="group-name">Name</Label>
              <Input id="group-name" name="name" required maxLength={100} placeholder="web servers" />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="group-description">Description</Label>
              <Input id="group-description" name="description" maxLength={1000} placeholder="optional" />
            </div>
          </ActionForm>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Groups</CardTitle>
          <CardDescription>Open a group to rename it, choose its hosts or delete it. Assign users on the Users page.</CardDescription>
        </CardHeader>
        <Table data-testid="groups-table">
          <TableHeader>
            <TableRow>
              <TableHead className="pl-4">Name</TableHead>
              <TableHead>Description</TableHead>
              <TableHead className="text-right">Hosts</TableHead>
              <TableHead className="pr-4 text-right">Users</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {groups.length === 0 && (
              <TableRow>
                <TableCell colSpan={4} className="py-6 text-center text-muted-foreground">
                  No groups yet.
                </TableCell>
              </TableRow>
            )}
            {groups.map((group) => (
              <TableRow key={group.id} data-testid="group-row" data-group-name={group.name}>
                <TableCell className="pl-4 font-medium">
                  <Link className="hover:underline" href={`/admin/groups/${group.id}`}>
                    {group.name}
                  </Link>
                </TableCell>
                <TableCell className="text-muted-foreground">{group.description}</TableCell>
                <TableCell className="text-right tabular-nums" data-testid="group-host-count">
                  {group.hostCount}
                </TableCell>
                <TableCell className="pr-4 text-right tabular-nums">{group.userCount}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
