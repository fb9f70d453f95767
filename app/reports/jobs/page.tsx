import type { Metadata } from 'next';
import Link from 'next/link';
import { Download } from 'lucide-react';
import { formatDurationMs } from '@/components/format';
import { packageChangeCount } from '@/components/package-change-labels';
import { PrintButton } from '@/components/reports/print-button';
import { ReportPeriodForm } from '@/components/reports/report-period-form';
import { JobStatusBadge } from '@/components/status-badges';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { buttonVariants } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { consoleContext } from '@/lib/console-context';
import { ValidationError } from '@/lib/errors';
import { listJobReport } from '@/lib/reports/list-job-report';
import { parseReportPeriod, type ReportPeriod } from '@/lib/reports/report-period';
import '../../print.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Job report' };

/** Rows the page shows; the CSV export has no limit. */
const PAGE_ROWS = 500;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function formatTimestamp(value: string | null): string {
  return value ? `${value.slice(0, 16).replace('T', ' ')} UTC` : '—';
}

export default async function JobReportPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const ctx = await consoleContext();

  // A malformed period in a hand-edited URL falls back to the default with a warning.
  let period: ReportPeriod;
  let periodError: string | null = null;
  try {
    period = parseReportPeriod({ from: first(query.from), to: first(query.to) });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    periodError = error.message;
    period = parseReportPeriod({});
  }

  const rows = await listJobReport(ctx, { period, limit: PAGE_ROWS + 1 });
  const shown = rows.slice(0, PAGE_ROWS);
  const csv = `/api/v1/reports/jobs.csv?from=${period.from}&to=${period.to}`;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Job report</h1>
          <p className="text-sm text-muted-foreground">
            Every host of the jobs created from {period.from} to {period.to} (UTC), oldest job first.
          </p>
        </div>
        <div className="flex flex-wrap gap-2" data-print="hide">
          <Link className={buttonVariants({ variant: 'outline' })} href="/reports">
            Compliance report
          </Link>
          <a className={buttonVariants({ variant: 'outline' })} href={csv} download>
            <Download aria-hidden /> CSV
          </a>
          <PrintButton />
        </div>
      </div>

      {periodError && (
        <Alert variant="warning">
          <AlertDescription>{periodError}. Showing the last 30 days instead.</AlertDescription>
        </Alert>
      )}
      <ReportPeriodForm action="/reports/jobs" from={period.from} to={period.to} />
      {rows.length > PAGE_ROWS && (
        <Alert>
          <AlertDescription>
            The page shows the first {PAGE_ROWS} rows. Download the CSV for all of them, or choose a shorter period.
          </AlertDescription>
        </Alert>
      )}

      <Card>
        <Table data-testid="job-report-table">
          <TableHeader>
            <TableRow>
              <TableHead>Job</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Host</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Exit code</TableHead>
              <TableHead>Failure cause</TableHead>
              <TableHead className="text-right">Packages changed</TableHead>
              <TableHead className="text-right">Duration</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.length === 0 && (
              <TableRow>
                <TableCell colSpan={9} className="py-8 text-center text-muted-foreground">
                  No jobs were created in this period.
                </TableCell>
              </TableRow>
            )}
            {shown.map((row) => (
              <TableRow key={`${row.jobId}:${row.hostId}`} data-testid="job-report-row">
                <TableCell className="font-mono text-xs">
                  <Link className="hover:underline" href={`/jobs/${row.jobId}`}>
                    {row.jobId.slice(0, 8)}
                  </Link>
                </TableCell>
                <TableCell className="whitespace-nowrap">{formatTimestamp(row.jobCreatedAt)}</TableCell>
                <TableCell className="whitespace-nowrap">
                  {row.action}
                  {row.dryRun && <span className="text-muted-foreground"> (dry run)</span>}
                </TableCell>
                <TableCell className="font-medium">{row.hostname}</TableCell>
                <TableCell>
                  <JobStatusBadge status={row.status} />
                </TableCell>
                <TableCell className="text-right tabular-nums">{row.exitCode ?? '—'}</TableCell>
                <TableCell title={row.failureMessage ?? undefined}>{row.failureCause ?? '—'}</TableCell>
                <TableCell className="text-right tabular-nums">{packageChangeCount(row.changedPackages, row.dryRun)}</TableCell>
                <TableCell className="text-right tabular-nums whitespace-nowrap">{formatDurationMs(row.durationMs)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
