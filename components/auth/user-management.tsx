'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { sendJson } from './post-json';

interface UserRow {
  id: string;
  username: string;
  role: 'admin' | 'operator';
  disabled: boolean;
  factors: string[];
  lastLoginAt: string | null;
}

/** Admin user management: create users, change roles, disable or enable them and reset their second factors. */
export function UserManagement({ users, currentUserId }: { users: UserRow[]; currentUserId: string }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  async function run(request: Promise<{ ok: boolean; error: string | null }>, success: string) {
    const result = await request;
    setMessage(result.ok ? { kind: 'ok', text: success } : { kind: 'error', text: result.error ?? 'request failed' });
    if (result.ok) router.refresh();
  }

  async function create(form: FormData) {
    await run(
      sendJson('/api/v1/users', {
        username: String(form.get('username') ?? ''),
        password: String(form.get('password') ?? ''),
        role: String(form.get('role') ?? 'operator'),
      }),
      'User created; they set up a second factor at their first sign-in.',
    );
  }

  return (
    <div className="grid gap-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      {message && (
        <Alert variant={message.kind === 'ok' ? 'default' : 'destructive'} data-testid="users-message">
          <AlertDescription>{message.text}</AlertDescription>
        </Alert>
      )}

      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Username</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Second factors</TableHead>
            <TableHead>Last sign-in</TableHead>
            <TableHead />
          </TableRow>
        </TableHeader>
        <TableBody>
          {users.map((user) => (
            <TableRow key={user.id} data-testid="user-row" data-username={user.username}>
              <TableCell className="font-medium">
                {user.username} {user.id === currentUserId && <span className="text-muted-foreground">(you)</span>}
              </TableCell>
              <TableCell>{user.role === 'admin' ? 'Admin' : 'Operator'}</TableCell>
              <TableCell>{user.disabled ? <Badge variant="destructive">disabled</Badge> : <Badge variant="success">active</Badge>}</TableCell>
              <TableCell>{user.factors.length > 0 ? user.factors.join(', ') : 'none yet'}</TableCell>
              <TableCell>{user.lastLoginAt ? `${user.lastLoginAt.slice(0, 16).replace('T', ' ')} UTC` : 'never'}</TableCell>
              <TableCell className="flex flex-wrap gap-1">
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => {
                    const role = user.role === 'admin' ? 'operator' : 'admin';
                    if (window.confirm(`Make ${user.username} ${role === 'admin' ? 'an Admin' : 'an Operator'}? The change applies to their next request.`)) {
                      void run(sendJson(`/api/v1/users/${user.id}`, { role }, 'PATCH'), 'Role changed.');
                    }
                  }}
                >
                  Make {user.role === 'admin' ? 'Operator' : 'Admin'}
                </Button>
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => {
                    if (user.disabled || window.confirm(`Disable ${user.username}? Their sessions end at once.`)) {
                      void run(sendJson(`/api/v1/users/${user.id}`, { disabled: !user.disabled }, 'PATCH'), user.disabled ? 'User enabled.' : 'User disabled.');
                    }
                  }}
                >
                  {user.disabled ? 'Enable' : 'Disable'}
                </Button>
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => {
                    if (window.confirm(`Reset the second factors of ${user.username}? They must enroll a new one at the next sign-in.`)) {
                      void run(sendJson(`/api/v1/users/${user.id}/mfa-reset`), 'Second factors reset; the user enrolls again at the next sign-in.');
                    }
                  }}
                >
                  Reset second factors
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>

      <Card>
        <CardHeader>
          <CardTitle>Create a user</CardTitle>
        </CardHeader>
        <CardContent>
          <form action={create} className="grid max-w-sm gap-3">
            <Label htmlFor="newUsername">Username</Label>
            <Input id="newUsername" name="username" autoComplete="off" required />
            <Label htmlFor="newPassword">Initial password (at least 12 characters)</Label>
            <Input id="newPassword" name="password" type="password" autoComplete="new-password" required />
            <Label htmlFor="newRole">Role</Label>
            <select id="newRole" name="role" className="h-9 rounded-md border bg-background px-2 text-sm" defaultValue="operator">
              <option value="operator">Operator</option>
              <option value="admin">Admin</option>
            </select>
            <Button type="submit">Create user</Button>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
