import type { Metadata } from 'next';
import Link from 'next/link';
import { Plus } from 'lucide-react';
import { requireUser } from '@/lib/console-context';
import { listSchedules, MISSED_RUNS_DAYS } from '@/lib/schedules/list-schedules';
import { formatDateTime } from '@/components/format';
import { Badge } from '@/components/ui/badge';
import { buttonVariants } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { cn } from '@/lib/utils';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Schedules' };

const RUN_STATUS_VARIANT = { fired: 'success', missed: 'destructive', failed: 'destructive' } as const;

function asDate(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

export default async function SchedulesPage() {
  const ctx = await requireUser();
  const schedules = await listSchedules(ctx);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Schedules</h1>
          <p className="text-sm text-muted-foreground">Patch jobs that start on their own, by next run. Missed runs are counted over the last {MISSED_RUNS_DAYS} days.</p>
        </div>
        <Link className={buttonVariants()} href="/schedules/new">
          <Plus aria-hidden /> New schedule
        </Link>
      </div>

      <Card>
        <Table data-testid="schedules-table">
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Runs</TableHead>
              <TableHead>Next run</TableHead>
              <TableHead>Last run</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Missed</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {schedules.length === 0 && (
              <TableRow>
                <TableCell colSpan={6} className="py-8 text-center text-muted-foreground">
                  No schedules yet.
                </TableCell>
              </TableRow>
            )}
            {schedules.map((schedule) => (
              <TableRow
                key={schedule.id}
                data-testid="schedule-row"
                data-schedule-id={schedule.id}
                className={cn(schedule.missedRuns > 0 && 'bg-destructive/5')}
              >
                <TableCell>
                  <Link className="font-medium hover:underline" href={`/schedules/${schedule.id}`}>
                    {schedule.name}
                  </Link>
                </TableCell>
                <TableCell className="whitespace-nowrap">
                  {schedule.kind === 'recurring' ? <code className="text-xs">{schedule.cronExpression}</code> : 'once'}{' '}
                  <span className="text-xs text-muted-foreground">{schedule.timeZone}</span>
                </TableCell>
                <TableCell className="whitespace-nowrap">{schedule.enabled ? formatDateTime(asDate(schedule.nextRunAt)) : <Badge variant="secondary">disabled</Badge>}</TableCell>
                <TableCell className="whitespace-nowrap">{formatDateTime(asDate(schedule.lastRunAt))}</TableCell>
                <TableCell>{schedule.lastRunStatus ? <Badge variant={RUN_STATUS_VARIANT[schedule.lastRunStatus]}>{schedule.lastRunStatus}</Badge> : '—'}</TableCell>
                <TableCell className="text-right tabular-nums">
                  {schedule.missedRuns > 0 ? (
                    <Badge variant="destructive" data-testid="missed-runs">
                      {schedule.missedRuns}
                    </Badge>
                  ) : (
                    0
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
