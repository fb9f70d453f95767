'use client';

import { useMemo } from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { listRunsAfter, type ScheduleTiming } from '@/lib/schedules/schedule-times';
import { isValidTimeZone, zonedTimeToInstant } from '@/lib/maintenance/zoned-time';

/** Number of run times the preview shows. */
const PREVIEW_RUNS = 5;

/** Formats an instant in a zone and in UTC, such as `Fri 15 Jan 2027, 02:00 (01:00 UTC)`. */
function formatRun(instant: Date, timeZone: string): string {
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(instant);
  return `${local} (${instant.toISOString().slice(11, 16)} UTC)`;
}

/** Computes the preview of the next run times, or the reason there is none. */
function previewRuns(kind: 'once' | 'recurring', runAt: string, cronExpression: string, timeZone: string): { runs: Date[]; problem: string | null } {
  if (!isValidTimeZone(timeZone)) {
    return { runs: [], problem: 'Choose a time zone.' };
  }
  try {
    let timing: ScheduleTiming;
    if (kind === 'once') {
      const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(runAt);
      if (!match) {
        return { runs: [], problem: 'Enter the date and time to run.' };
      }
      const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
      timing = { kind: 'once', runAt: zonedTimeToInstant({ year, month, day }, hour * 60 + minute, timeZone), timeZone };
    } else {
      timing = { kind: 'recurring', cronExpression, timeZone };
    }
    const runs = listRunsAfter(timing, new Date(), PREVIEW_RUNS);
    return { runs, problem: runs.length === 0 ? 'No future run: the time has passed or the expression never matches.' : null };
  } catch (error) {
    return { runs: [], problem: (error as Error).message };
  }
}

/** Renders the next run times of the schedule form's timing, computed in the browser, or the reason there is none. */
export function ScheduleRunPreview({ kind, runAt, cronExpression, timeZone }: { kind: 'once' | 'recurring'; runAt: string; cronExpression: string; timeZone: string }) {
  const preview = useMemo(() => previewRuns(kind, runAt, cronExpression, timeZone), [kind, runAt, cronExpression, timeZone]);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Next runs</CardTitle>
        <CardDescription>Computed in the browser from the values above.</CardDescription>
      </CardHeader>
      <CardContent>
        {preview.problem ? (
          <p className="text-sm text-muted-foreground" data-testid="preview-problem">
            {preview.problem}
          </p>
        ) : (
          <ol className="flex flex-col gap-1 text-sm tabular-nums" data-testid="run-preview">
            {preview.runs.map((run) => (
              <li key={run.toISOString()}>{formatRun(run, timeZone)}</li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}
