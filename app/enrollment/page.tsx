import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/console-context';
import { installCommand } from '@/lib/enrollment/install-command';
import { listEnrollmentTokens } from '@/lib/enrollment/list-enrollment-tokens';
import { listGroups } from '@/lib/groups/list-groups';
import { getRuntime } from '@/lib/runtime';
import { EnrollmentTokenForm } from '@/components/enrollment-token-form';
import { RevokeEnrollmentTokenButton } from '@/components/revoke-enrollment-token-button';
import { formatDateTime } from '@/components/format';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { createEnrollmentTokenAction, revokeEnrollmentTokenAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Enrollment' };

type TokenRow = Awaited<ReturnType<typeof listEnrollmentTokens>>[number];

/** True while the token can still enroll a host, which is when revoking it changes something. */
function isActive(token: TokenRow, now: Date): boolean {
  return !token.revokedAt && token.expiresAt > now && token.uses < token.maxUses;
}

function TokenState({ token, now }: { token: TokenRow; now: Date }) {
  if (token.revokedAt) {
    return <Badge variant="destructive">revoked</Badge>;
  }
  if (token.expiresAt <= now) {
    return <Badge variant="outline">expired</Badge>;
  }
  if (token.uses >= token.maxUses) {
    return <Badge variant="outline">used up</Badge>;
  }
  return <Badge variant="success">usable</Badge>;
}

export default async function EnrollmentPage() {
  const ctx = await requireAdmin();
  const [tokens, groups] = await Promise.all([listEnrollmentTokens(ctx), listGroups(ctx)]);
  const now = new Date();
  const runtime = getRuntime();
  const installTemplate = installCommand({ serverUrl: runtime.enrollUrl, token: 'TOKEN', caFingerprint: runtime.caFingerprint });

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Enrollment</h1>
        <p className="text-sm text-muted-foreground">Enroll a host with a token; the agent creates its own key and receives a certificate.</p>
      </div>

      <EnrollmentTokenForm action={createEnrollmentTokenAction} groups={groups.map((group) => ({ id: group.id, name: group.name }))} />

      <Card>
        <CardHeader>
          <CardTitle>Tokens</CardTitle>
        </CardHeader>
        <Table data-testid="enrollment-tokens">
          <TableHeader>
            <TableRow>
              <TableHead className="pl-4">Description</TableHead>
              <TableHead>Group</TableHead>
              <TableHead>State</TableHead>
              <TableHead className="text-right">Uses</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Expires</TableHead>
              <TableHead className="pr-4">
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tokens.length === 0 && (
              <TableRow>
                <TableCell colSpan={7} className="py-6 text-center text-muted-foreground">
                  No enrollment tokens yet.
                </TableCell>
              </TableRow>
            )}
            {tokens.map((token) => (
              <TableRow key={token.id} data-testid="token-row" data-token-id={token.id}>
                <TableCell className="pl-4">{token.description || <span className="text-muted-foreground">no description</span>}</TableCell>
                <TableCell data-testid="token-group">{token.groupName ?? <span className="text-muted-foreground">no group</span>}</TableCell>
                <TableCell>
                  <TokenState token={token} now={now} />
                </TableCell>
                <TableCell className="text-right tabular-nums">
                  {token.uses} / {token.maxUses}
                </TableCell>
                <TableCell className="whitespace-nowrap">{formatDateTime(token.createdAt)}</TableCell>
                <TableCell className="whitespace-nowrap">{formatDateTime(token.expiresAt)}</TableCell>
                <TableCell className="pr-4">
                  {isActive(token, now) && <RevokeEnrollmentTokenButton tokenId={token.id} action={revokeEnrollmentTokenAction} />}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Install command</CardTitle>
          <CardDescription>
            A token is shown only when it is created, with its own install command. To install with a token you kept, replace TOKEN and run
            this as root on the host.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <pre className="overflow-x-auto rounded-md bg-slate-950 p-3 font-mono text-xs whitespace-pre-wrap break-all text-slate-100 select-all" data-testid="install-command-template">
            {installTemplate}
          </pre>
        </CardContent>
      </Card>
    </div>
  );
}
