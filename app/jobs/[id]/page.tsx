import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { requireUser } from '@/lib/console-context';
import { NotFoundError } from '@/lib/errors';
import { getJob } from '@/lib/patching/get-job';
import { formatDateTime } from '@/components/format';
import { JobHostsTable } from '@/components/job-hosts-table';
import { JobOutput } from '@/components/job-output';
import { JobStatusBadge } from '@/components/status-badges';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent } from '@/components/ui/card';
import { CancelJobButton } from '@/components/cancel-job-button';
import { cancelJobAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Job' };

const FINISHED_STATUSES = new Set(['succeeded', 'failed', 'cancelled']);

const STOP_REASONS: Record<string, string> = {
  'threshold-exceeded': 'stopped: the failure limit was reached',
  cancelled: 'cancelled',
};

function scopeText(scope: { kind: string; hostIds?: string[]; groupIds?: string[]; filter?: Record<string, unknown> }): string {
  if (scope.kind === 'groups') return `${scope.groupIds?.length ?? 0} groups`;
  if (scope.kind === 'filter') {
    const conditions = Object.entries(scope.filter ?? {}).map(([key, value]) => `${key}=${String(value)}`);
    return conditions.length > 0 ? `filter ${conditions.join(', ')}` : 'every host';
  }
  return 'chosen hosts';
}

function limitText(count: number | null, percent: number | null, none: string): string {
  if (count !== null) return `${count} hosts`;
  if (percent !== null) return `${percent}% of hosts`;
  return none;
}

async function loadJob(jobId: string) {
  const ctx = await requireUser();

  try {
    return await getJob(ctx, { jobId });
  } catch (error) {
    if (error instanceof NotFoundError) {
      notFound();
    }
    throw error;
  }
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm">{children}</dd>
    </div>
  );
}

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const jobId = z.uuid().safeParse(id);
  if (!jobId.success) {
    notFound();
  }

  const job = await loadJob(jobId.data);
  const succeeded = job.hosts.filter((host) => host.status === 'succeeded').length;
  const failed = job.hosts.filter((host) => host.status === 'failed' || host.status === 'timed-out').length;
  const skipped = job.hosts.filter((host) => host.status === 'skipped').length;

  return (
    <div className="flex flex-col gap-4">
      <div>
        <p className="text-sm text-muted-foreground">
          <Link className="hover:underline" href="/jobs">
            Jobs
          </Link>{' '}
          /
        </p>
        <h1 className="flex flex-wrap items-center gap-3 text-2xl font-semibold">
          {job.action}
          {job.dryRun && <Badge variant="outline">dry run</Badge>}
          <JobStatusBadge status={job.status} data-testid="job-status" data-status={job.status} />
          {job.stopReason && (
            <Badge variant="outline" data-testid="job-stop-reason" data-stop-reason={job.stopReason}>
              {STOP_REASONS[job.stopReason] ?? job.stopReason}
            </Badge>
          )}
        </h1>
        {!FINISHED_STATUSES.has(job.status) && job.stopReason !== 'cancelled' && (
          <div className="mt-2">
            <CancelJobButton jobId={job.id} action={cancelJobAction} />
          </div>
        )}
      </div>

      <Card>
        <CardContent className="pt-4">
          <dl className="grid grid-cols-2 gap-4 md:grid-cols-4 lg:grid-cols-6">
            <Fact label="Hosts">
              {job.hosts.length} ({succeeded} succeeded, {failed} failed{skipped > 0 ? `, ${skipped} skipped` : ''})
            </Fact>
            <Fact label="Created">{formatDateTime(job.createdAt)}</Fact>
            <Fact label="Started">{formatDateTime(job.startedAt)}</Fact>
            <Fact label="Finished">{formatDateTime(job.finishedAt)}</Fact>
            <Fact label="Created by">{job.createdBy}</Fact>
            <Fact label="Packages">{job.packages.length > 0 ? <span className="font-mono text-xs">{job.packages.join(' ')}</span> : '—'}</Fact>
            <Fact label="Scope">{scopeText(job.scope)}</Fact>
            <Fact label="Canary wave">{limitText(job.canarySize, job.canaryPercent, 'one wave')}</Fact>
            <Fact label="Hosts at a time">{job.maxParallel ?? 'no limit'}</Fact>
            <Fact label="Stop after failures">{limitText(job.stopAfterFailures, job.stopAfterFailurePercent, 'no limit')}</Fact>
            <Fact label="Reboot">{job.rebootPolicy === 'never' ? 'never' : `${job.rebootPolicy}, wait ${job.rebootTimeoutSeconds} s`}</Fact>
            <Fact label="Commands">{[job.commands.pre && `before: ${job.commands.pre.name}`, job.commands.post && `after: ${job.commands.post.name}`].filter(Boolean).join(', ') || '—'}</Fact>
          </dl>
        </CardContent>
      </Card>

      <JobHostsTable hosts={job.hosts} dryRun={job.dryRun} />
      <JobOutput
        jobId={job.id}
        hosts={job.hosts.map((host) => ({ hostId: host.hostId, hostname: host.hostname }))}
        finished={FINISHED_STATUSES.has(job.status)}
      />
    </div>
  );
}
