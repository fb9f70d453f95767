import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { HostDetail } from './types';

/** Pending updates, security updates listed first. */
export function HostUpdates({ host }: { host: HostDetail }) {
  const updates = [...host.updates].sort((a, b) => Number(b.security) - Number(a.security) || a.name.localeCompare(b.name));

  return (
    <Card>
      <CardHeader>
        <CardTitle>Pending updates</CardTitle>
        <CardDescription>
          <span data-testid="pending-count">{host.pendingCount}</span> pending, of which{' '}
          <span data-testid="security-count">{host.securityCount}</span> security and{' '}
          <span data-testid="held-count">{host.heldCount}</span> held.
        </CardDescription>
      </CardHeader>
      <CardContent className="px-0">
        <Table data-testid="host-updates">
          <TableHeader>
            <TableRow>
              <TableHead className="pl-4">Package</TableHead>
              <TableHead>Installed</TableHead>
              <TableHead>Candidate</TableHead>
              <TableHead>Repository</TableHead>
              <TableHead className="pr-4">Flags</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {updates.length === 0 && (
              <TableRow>
                <TableCell colSpan={5} className="py-6 text-center text-muted-foreground">
                  No pending updates reported.
                </TableCell>
              </TableRow>
            )}
            {updates.map((update) => (
              <TableRow key={`${update.name}:${update.arch}`} data-testid="update-row">
                <TableCell className="pl-4 font-mono text-xs">
                  {update.name}
                  <span className="text-muted-foreground">:{update.arch}</span>
                </TableCell>
                <TableCell className="font-mono text-xs">{update.installed ?? <span className="text-muted-foreground">not installed</span>}</TableCell>
                <TableCell className="font-mono text-xs">{update.candidate}</TableCell>
                <TableCell className="text-xs">{update.repository}</TableCell>
                <TableCell className="pr-4">
                  <div className="flex flex-wrap gap-1">
                    {update.security && <Badge variant="destructive">security</Badge>}
                    {update.held && <Badge variant="warning">held</Badge>}
                    {update.phased && <Badge variant="secondary">phased</Badge>}
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
