import Link from 'next/link';
import type { getJob } from '@/lib/patching/get-job';
import { formatDurationMs } from '@/components/format';
import { packageChangesHeading, packageChangesSummary } from '@/components/package-change-labels';
import { JobStatusBadge, RebootBadge } from '@/components/status-badges';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';

type JobHost = Awaited<ReturnType<typeof getJob>>['hosts'][number];

// Short lists show in full; longer ones fold so the table stays scannable.
const CHANGES_SHOWN_OPEN = 5;

function Changes({ changes, dryRun }: { changes: JobHost['changes']; dryRun: boolean }) {
  if (changes.length === 0) {
    return <span className="text-muted-foreground">none</span>;
  }

  const list = (
    <ul className="flex flex-col gap-0.5 font-mono text-xs">
      {changes.map((change) => (
        <li key={`${change.name}:${change.arch}`} data-testid="job-change">
          {change.name}
          <span className="text-muted-foreground">:{change.arch}</span> {change.before ?? <span className="text-muted-foreground">new</span>} →{' '}
          {change.after ?? <span className="text-muted-foreground">removed</span>}
        </li>
      ))}
    </ul>
  );
  if (changes.length <= CHANGES_SHOWN_OPEN) {
    return list;
  }

  return (
    <details>
      <summary className="cursor-pointer text-sm">{packageChangesSummary(changes.length, dryRun)}</summary>
      {list}
    </details>
  );
}

/**
 * Renders each host's part of a job: status, exit code, failure cause, package changes and
 * reboot. For a dry run, the package changes are the ones the real run would make.
 */
export function JobHostsTable({ hosts, dryRun }: { hosts: JobHost[]; dryRun: boolean }) {
  return (
    <Card>
      <Table data-testid="job-hosts">
        <TableHeader>
          <TableRow>
            <TableHead>Host</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="text-right">Exit code</TableHead>
            <TableHead>Failure</TableHead>
            <TableHead data-testid="job-changes-heading">{packageChangesHeading(dryRun)}</TableHead>
            <TableHead>Reboot</TableHead>
            <TableHead className="text-right">Duration</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {hosts.map((host) => (
            <TableRow key={host.hostId} data-testid="job-host-row" data-host-id={host.hostId} className="align-top">
              <TableCell className="font-medium whitespace-nowrap">
                <Link className="hover:underline" href={`/hosts/${host.hostId}`}>
                  {host.hostname}
                </Link>
              </TableCell>
              <TableCell data-testid="job-host-status" data-status={host.status}>
                <JobStatusBadge status={host.status} />
              </TableCell>
              <TableCell className="text-right font-mono tabular-nums" data-testid="job-host-exit-code">
                {host.exitCode ?? '—'}
              </TableCell>
              <TableCell className="max-w-md" data-testid="job-host-failure">
                {host.failureCause ? (
                  <div className="flex flex-col gap-0.5">
                    <span className="font-medium text-destructive">{host.failureCause}</span>
                    {host.failureMessage && <span className="text-xs break-words text-muted-foreground">{host.failureMessage}</span>}
                  </div>
                ) : (
                  <span className="text-muted-foreground">—</span>
                )}
              </TableCell>
              <TableCell>
                <Changes changes={host.changes} dryRun={dryRun} />
              </TableCell>
              <TableCell>
                <RebootBadge required={host.rebootRequired} />
              </TableCell>
              <TableCell className="text-right whitespace-nowrap tabular-nums">{formatDurationMs(host.durationMs)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
