import type { Metadata } from 'next';
import Link from 'next/link';
import { Download } from 'lucide-react';
import { z } from 'zod';
import { parseAuditFilter, type AuditFilter } from '@/lib/audit/audit-filter';
import { listAuditLog } from '@/lib/audit/list-audit-log';
import { getLastAuditVerification } from '@/lib/audit/verify-audit-log';
import { requireAdmin } from '@/lib/console-context';
import { ValidationError } from '@/lib/errors';
import { AuditVerifyButton } from '@/components/audit-verify-button';
import { Pagination } from '@/components/pagination';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button, buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { verifyAuditAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Audit log' };

const PAGE_SIZE = 50;
const FILTER_FIELDS = [
  { name: 'from', label: 'From (UTC)', placeholder: '2025-01-31T09:00' },
  { name: 'to', label: 'To (UTC)', placeholder: '2025-02-01' },
  { name: 'actor', label: 'Actor', placeholder: 'console@127.0.0.1' },
  { name: 'action', label: 'Action', placeholder: 'job.* or host.enroll' },
  { name: 'target', label: 'Target', placeholder: 'host:<id>, job or an id' },
] as const;

const pageSchema = z.coerce.number().int().min(1).max(1_000_000).catch(1);

function toQuery(searchParams: Record<string, string | string[] | undefined>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(searchParams)) {
    if (typeof value === 'string') query.set(key, value);
  }
  return query;
}

function formatTime(value: Date): string {
  return `${value.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = toQuery(await searchParams);
  const page = pageSchema.parse(query.get('page') ?? 1);
  let filter: AuditFilter = {};
  let filterError: string | null = null;
  try {
    filter = parseAuditFilter(query);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    filterError = error.message;
  }

  const ctx = await requireAdmin();
  const [result, last] = await Promise.all([listAuditLog(ctx, { filter, page, pageSize: PAGE_SIZE }), getLastAuditVerification(ctx)]);
  const filterValues: Record<string, string | undefined> = {};
  for (const field of FILTER_FIELDS) filterValues[field.name] = query.get(field.name) ?? undefined;
  const exportQuery = new URLSearchParams(Object.entries(filterValues).filter((entry): entry is [string, string] => Boolean(entry[1])));

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Audit log</h1>
          <p className="text-sm text-muted-foreground">
            Every change, newest first. Each row is hash-chained to the one before it, so an edit, a deletion or a reordering is detected.
          </p>
        </div>
        <a className={buttonVariants({ variant: 'outline' })} href={`/api/v1/reports/audit.csv?${exportQuery.toString()}`} data-testid="audit-export">
          <Download aria-hidden /> Export CSV
        </a>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Chain verification</CardTitle>
          <CardDescription data-testid="audit-last-verification">
            {last
              ? `Last check ${last.checkedAt.slice(0, 16).replace('T', ' ')} UTC (${last.trigger}): ${
                  last.integrity ? `intact, ${last.rowsChecked} ${last.rowsChecked === 1 ? 'row' : 'rows'}` : `broken at row ${last.firstBroken?.id}`
                }; checkpoints ${last.checkpoint.status}.`
              : 'Not verified yet; the worker checks every hour.'}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <AuditVerifyButton action={verifyAuditAction} />
        </CardContent>
      </Card>

      <Card>
        <CardContent className="pt-6">
          <form method="get" action="/audit" className="grid gap-3 md:grid-cols-[repeat(5,1fr)_auto_auto] md:items-end" data-testid="audit-filters">
            {FILTER_FIELDS.map((field) => (
              <div key={field.name} className="flex flex-col gap-1.5">
                <Label htmlFor={`audit-${field.name}`}>{field.label}</Label>
                <Input id={`audit-${field.name}`} name={field.name} defaultValue={filterValues[field.name] ?? ''} placeholder={field.placeholder} maxLength={300} />
              </div>
            ))}
            <Button type="submit">Filter</Button>
            <Link className={buttonVariants({ variant: 'ghost' })} href="/audit">
              Clear
            </Link>
          </form>
          {filterError && (
            <Alert variant="destructive" className="mt-3">
              <AlertDescription data-testid="audit-filter-error">{filterError}</AlertDescription>
            </Alert>
          )}
        </CardContent>
      </Card>

      <Card>
        <Table data-testid="audit-table">
          <TableHeader>
            <TableRow>
              <TableHead className="pl-4">Time</TableHead>
              <TableHead>Actor</TableHead>
              <TableHead>Address</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Target</TableHead>
              <TableHead className="pr-4">Details</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {result.items.length === 0 && (
              <TableRow>
                <TableCell colSpan={6} className="py-8 text-center text-muted-foreground">
                  No audit rows match.
                </TableCell>
              </TableRow>
            )}
            {result.items.map((row) => (
              <TableRow key={row.id} data-testid="audit-row" data-audit-id={row.id}>
                <TableCell className="pl-4 whitespace-nowrap tabular-nums">{formatTime(row.occurredAt)}</TableCell>
                <TableCell>
                  <Badge variant="outline">{row.actorKind}</Badge> {row.actorLabel}
                </TableCell>
                <TableCell className="font-mono text-xs">{row.clientAddress ?? '—'}</TableCell>
                <TableCell className="font-medium">{row.action}</TableCell>
                <TableCell className="font-mono text-xs">{row.targetKind ? `${row.targetKind}:${row.targetId ?? ''}` : '—'}</TableCell>
                <TableCell className="pr-4">
                  <code className="line-clamp-2 max-w-md text-xs break-all">{JSON.stringify(row.details)}</code>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <div className="border-t px-4">
          <Pagination page={page} pageSize={PAGE_SIZE} total={result.total} path="/audit" query={filterValues} noun="rows" />
        </div>
      </Card>
    </div>
  );
}
