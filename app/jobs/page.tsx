import type { Metadata } from 'next';
import Link from 'next/link';
import { Plus } from 'lucide-react';
import { z } from 'zod';
import { requireUser } from '@/lib/console-context';
import { listJobs } from '@/lib/patching/list-jobs';
import { formatDateTime } from '@/components/format';
import { Pagination } from '@/components/pagination';
import { JobStatusBadge } from '@/components/status-badges';
import { Badge } from '@/components/ui/badge';
import { buttonVariants } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Jobs' };

const PAGE_SIZE = 50;

const querySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});

export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = querySchema.parse(await searchParams);
  const ctx = await requireUser();
  const result = await listJobs(ctx, { page: query.page, pageSize: PAGE_SIZE });

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Jobs</h1>
          <p className="text-sm text-muted-foreground">
            <span data-testid="jobs-total">{result.total}</span> {result.total === 1 ? 'job' : 'jobs'}, newest first
          </p>
        </div>
        <Link className={buttonVariants()} href="/jobs/new">
          <Plus aria-hidden /> New patch job
        </Link>
      </div>

      <Card>
        <Table data-testid="jobs-table">
          <TableHeader>
            <TableRow>
              <TableHead>Created</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Hosts</TableHead>
              <TableHead className="text-right">Succeeded</TableHead>
              <TableHead className="text-right">Failed</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {result.items.length === 0 && (
              <TableRow>
                <TableCell colSpan={6} className="py-8 text-center text-muted-foreground">
                  No jobs yet.
                </TableCell>
              </TableRow>
            )}
            {result.items.map((job) => (
              <TableRow key={job.id} data-testid="job-row" data-job-id={job.id}>
                <TableCell className="whitespace-nowrap">
                  <Link className="font-medium hover:underline" href={`/jobs/${job.id}`}>
                    {formatDateTime(job.createdAt)}
                  </Link>
                </TableCell>
                <TableCell>
                  {job.action} {job.dryRun && <Badge variant="outline">dry run</Badge>}
                </TableCell>
                <TableCell>
                  <JobStatusBadge status={job.status} />
                </TableCell>
                <TableCell className="text-right tabular-nums">{job.hostCount}</TableCell>
                <TableCell className="text-right tabular-nums">{job.succeeded}</TableCell>
                <TableCell className="text-right tabular-nums">
                  {job.failed > 0 ? <Badge variant="destructive">{job.failed}</Badge> : 0}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <div className="border-t px-4">
          <Pagination page={query.page} pageSize={PAGE_SIZE} total={result.total} path="/jobs" query={{}} noun="jobs" />
        </div>
      </Card>
    </div>
  );
}
