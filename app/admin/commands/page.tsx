import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/console-context';
import { listCommands } from '@/lib/commands/list-commands';
import { CommandForm } from '@/components/command-form';
import { formatDateTime } from '@/components/format';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { createCommandAction, deleteCommandAction } from './actions';

export const metadata: Metadata = { title: 'Approved commands' };
export const dynamic = 'force-dynamic';

export default async function CommandsPage() {
  const ctx = await requireAdmin();
  const commands = await listCommands(ctx);

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Approved commands</h1>
        <p className="text-sm text-muted-foreground">
          Commands that jobs may run before or after patching. Agents run them without a shell, and only on hosts whose administrator allowed commands.
        </p>
      </div>

      <CommandForm action={createCommandAction} />

      <Card>
        <CardHeader>
          <CardTitle>Commands</CardTitle>
          <CardDescription>{commands.length} approved</CardDescription>
        </CardHeader>
        <CardContent>
          {commands.length === 0 && <p className="text-sm text-muted-foreground">No command is approved yet.</p>}
          <ul className="flex flex-col divide-y" data-testid="command-list">
            {commands.map((command) => (
              <li key={command.id} className="flex flex-wrap items-center gap-3 py-2 text-sm" data-testid="command-row">
                <span className="min-w-40 font-medium">{command.name}</span>
                <code className="flex-1 rounded bg-muted px-2 py-1 text-xs">{command.argv.map((arg) => JSON.stringify(arg)).join(' ')}</code>
                <span className="text-muted-foreground">{command.timeoutSeconds} s</span>
                <span className="text-muted-foreground">
                  {command.createdBy}, {formatDateTime(command.createdAt)}
                </span>
                <form action={deleteCommandAction}>
                  <input type="hidden" name="commandId" value={command.id} />
                  <Button type="submit" variant="outline" size="sm">
                    Delete
                  </Button>
                </form>
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
    </div>
  );
}
