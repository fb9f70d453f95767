import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireUser, type UserContext } from '@/lib/console-context';
import { NotFoundError } from '@/lib/errors';
import { wallTimeAt } from '@/lib/maintenance/zoned-time';
import { jobFormValuesFromTemplate } from '@/lib/patching/job-form';
import { getSchedule } from '@/lib/schedules/get-schedule';
import { formatDateTime } from '@/components/format';
import { ScheduleControls } from '@/components/schedule-controls';
import { ScheduleForm } from '@/components/schedule-form';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { cn } from '@/lib/utils';
import { deleteScheduleAction, saveScheduleAction, setScheduleEnabledAction } from '../actions';
import { loadJobChoices } from '../job-choices';
import { timeZoneChoices } from '../time-zones';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Schedule' };

const RUN_STATUS_VARIANT = { fired: 'success', missed: 'destructive', failed: 'destructive' } as const;

/** Formats an instant as a `datetime-local` value in the zone. */
function localInputValue(instant: string | null, timeZone: string): string {
  if (!instant) {
    return '';
  }
  const wall = wallTimeAt(new Date(instant), timeZone);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}`;
}

async function loadSchedule(ctx: UserContext, scheduleId: string) {
  try {
    return await getSchedule(ctx, { scheduleId });
  } catch (error) {
    if (error instanceof NotFoundError) {
      notFound();
    }
    throw error;
  }
}

export default async function SchedulePage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireUser();
  const schedule = await loadSchedule(ctx, (await params).id);
  const job = jobFormValuesFromTemplate(schedule.jobTemplate);
  const choices = await loadJobChoices(ctx, job?.hostIds ?? []);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-sm">
            <Link className="text-muted-foreground hover:underline" href="/schedules">
              Schedules
            </Link>
          </p>
          <h1 className="text-2xl font-semibold">{schedule.name}</h1>
          <p className="text-sm text-muted-foreground">
            {schedule.enabled ? `Next run ${formatDateTime(schedule.nextRunAt ? new Date(schedule.nextRunAt) : null)}` : 'Disabled'} · created by {schedule.createdBy}
          </p>
        </div>
        <ScheduleControls scheduleId={schedule.id} enabled={schedule.enabled} setEnabled={setScheduleEnabledAction} remove={deleteScheduleAction} />
      </div>

      {/* Keyed by the last change, so the fields start again from the saved schedule after a save. */}
      <ScheduleForm
        key={schedule.updatedAt}
        action={saveScheduleAction}
        timeZones={timeZoneChoices(schedule.timeZone)}
        {...choices}
        initial={{
          scheduleId: schedule.id,
          name: schedule.name,
          kind: schedule.kind,
          runAt: localInputValue(schedule.runAt, schedule.timeZone),
          cronExpression: schedule.cronExpression ?? '0 2 * * *',
          timeZone: schedule.timeZone,
          job,
          jobTemplate: JSON.stringify(schedule.jobTemplate, null, 2),
          enabled: schedule.enabled,
        }}
      />

      <Card>
        <CardHeader>
          <CardTitle>Recent runs</CardTitle>
        </CardHeader>
        <CardContent className="p-0">
          <Table data-testid="schedule-runs">
            <TableHeader>
              <TableRow>
                <TableHead>Scheduled for</TableHead>
                <TableHead>Handled at</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Job or reason</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {schedule.runs.length === 0 && (
                <TableRow>
                  <TableCell colSpan={4} className="py-6 text-center text-muted-foreground">
                    No runs yet.
                  </TableCell>
                </TableRow>
              )}
              {schedule.runs.map((run) => (
                <TableRow key={run.scheduledFor} data-testid="schedule-run" className={cn(run.status !== 'fired' && 'bg-destructive/5')}>
                  <TableCell className="whitespace-nowrap">{formatDateTime(new Date(run.scheduledFor))}</TableCell>
                  <TableCell className="whitespace-nowrap">{formatDateTime(new Date(run.firedAt))}</TableCell>
                  <TableCell>
                    <Badge variant={RUN_STATUS_VARIANT[run.status]}>{run.status}</Badge>
                  </TableCell>
                  <TableCell className="text-sm">
                    {run.jobId ? (
                      <Link className="hover:underline" href={`/jobs/${run.jobId}`}>
                        job {run.jobId.slice(0, 8)}
                      </Link>
                    ) : (
                      run.reason
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
