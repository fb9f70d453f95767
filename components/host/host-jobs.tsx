import Link from 'next/link';
import { formatDateTime } from '@/components/format';
import { JobStatusBadge } from '@/components/status-badges';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { HostDetail } from './types';

/** The most recent jobs that included this host, with this host's own outcome. */
export function HostJobs({ host }: { host: HostDetail }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Recent jobs</CardTitle>
      </CardHeader>
      <CardContent className="px-0">
        <Table data-testid="host-jobs">
          <TableHeader>
            <TableRow>
              <TableHead className="pl-4">Created</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Job</TableHead>
              <TableHead className="pr-4">This host</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {host.jobs.length === 0 && (
              <TableRow>
                <TableCell colSpan={4} className="py-6 text-center text-muted-foreground">
                  No jobs have run on this host.
                </TableCell>
              </TableRow>
            )}
            {host.jobs.map((job) => (
              <TableRow key={job.id} data-testid="host-job-row" data-job-id={job.id}>
                <TableCell className="pl-4 whitespace-nowrap">
                  <Link className="hover:underline" href={`/jobs/${job.id}`}>
                    {formatDateTime(job.createdAt)}
                  </Link>
                </TableCell>
                <TableCell>
                  {job.action} {job.dryRun && <Badge variant="outline">dry run</Badge>}
                </TableCell>
                <TableCell>
                  <JobStatusBadge status={job.status} />
                </TableCell>
                <TableCell className="pr-4">
                  <JobStatusBadge status={job.hostStatus} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
