'use client';

import { useMemo, useState } from 'react';
import { AlertCircle, Save } from 'lucide-react';
import type { ScheduleFormField, ScheduleFormState } from '@/app/schedules/actions';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { listRunsAfter, type ScheduleTiming } from '@/lib/schedules/schedule-times';
import { isValidTimeZone, zonedTimeToInstant } from '@/lib/maintenance/zoned-time';

/** Values the form starts with; `runAt` is a `datetime-local` value in `timeZone`. */
export interface ScheduleFormValues {
  scheduleId: string | null;
  name: string;
  kind: 'once' | 'recurring';
  runAt: string;
  cronExpression: string;
  timeZone: string;
  jobTemplate: string;
  enabled: boolean;
}

export interface ScheduleFormProps {
  action: (previous: ScheduleFormState, formData: FormData) => Promise<ScheduleFormState>;
  initial: ScheduleFormValues;
  /** IANA zone names offered in the select. */
  timeZones: string[];
}

/** Number of run times the preview shows. */
const PREVIEW_RUNS = 5;

function FieldError({ errors, field }: { errors: ScheduleFormState['errors']; field: ScheduleFormField }) {
  const message = errors[field];
  if (!message) {
    return null;
  }
  return (
    <p id={`${field}-error`} className="text-sm text-destructive" data-testid={`error-${field}`}>
      {message}
    </p>
  );
}

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

/** Renders the schedule form: name, one-off time or cron expression, time zone, job request and a preview of the next runs. */
export function ScheduleForm({ action, initial, timeZones }: ScheduleFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, { errors: {} });
  const [name, setName] = useState(initial.name);
  const [kind, setKind] = useState(initial.kind);
  const [runAt, setRunAt] = useState(initial.runAt);
  const [cronExpression, setCronExpression] = useState(initial.cronExpression);
  const [timeZone, setTimeZone] = useState(initial.timeZone);
  const [jobTemplate, setJobTemplate] = useState(initial.jobTemplate);
  const [enabled, setEnabled] = useState(initial.enabled);
  const errors = state.errors;

  const preview = useMemo(() => previewRuns(kind, runAt, cronExpression, timeZone), [kind, runAt, cronExpression, timeZone]);

  return (
    <form action={formAction} onSubmit={onSubmit} className="grid gap-4 lg:grid-cols-[2fr_1fr]" data-testid="schedule-form">
      {initial.scheduleId && <input type="hidden" name="scheduleId" value={initial.scheduleId} />}
      <Card>
        <CardHeader>
          <CardTitle>{initial.scheduleId ? 'Edit schedule' : 'New schedule'}</CardTitle>
          <CardDescription>The worker creates the patch job at each run time. A run found more than the grace period late is recorded as missed and not started.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {errors.form && (
            <Alert variant="destructive" data-testid="error-form">
              <AlertCircle aria-hidden />
              <AlertDescription>{errors.form}</AlertDescription>
            </Alert>
          )}

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="name">Name</Label>
            <Input id="name" name="name" value={name} onChange={(event) => setName(event.target.value)} maxLength={100} required aria-invalid={Boolean(errors.name)} />
            <FieldError errors={errors} field="name" />
          </div>

          <fieldset className="flex flex-col gap-1.5">
            <legend className="mb-1.5 text-sm font-medium">Runs</legend>
            <div className="flex gap-4 text-sm">
              <label className="flex items-center gap-2">
                <input type="radio" name="kind" value="recurring" checked={kind === 'recurring'} onChange={() => setKind('recurring')} />
                Recurring (cron)
              </label>
              <label className="flex items-center gap-2">
                <input type="radio" name="kind" value="once" checked={kind === 'once'} onChange={() => setKind('once')} />
                Once
              </label>
            </div>
            <FieldError errors={errors} field="kind" />
          </fieldset>

          {kind === 'recurring' ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="cronExpression">Cron expression</Label>
              <Input
                id="cronExpression"
                name="cronExpression"
                value={cronExpression}
                onChange={(event) => setCronExpression(event.target.value)}
                className="font-mono"
                placeholder="0 2 * * *"
                aria-invalid={Boolean(errors.cronExpression)}
              />
              <p className="text-xs text-muted-foreground">Five fields: minute, hour, day of month, month, day of week (0 = Sunday), read in the time zone below.</p>
              <FieldError errors={errors} field="cronExpression" />
            </div>
          ) : (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="runAt">Run at (local time in the zone below)</Label>
              <Input id="runAt" name="runAt" type="datetime-local" value={runAt} onChange={(event) => setRunAt(event.target.value)} aria-invalid={Boolean(errors.runAt)} />
              <FieldError errors={errors} field="runAt" />
            </div>
          )}

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="timeZone">Time zone</Label>
            <Select id="timeZone" name="timeZone" value={timeZone} onChange={(event) => setTimeZone(event.target.value)} aria-invalid={Boolean(errors.timeZone)}>
              {timeZones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </Select>
            <FieldError errors={errors} field="timeZone" />
          </div>

          <div className="flex flex-col gap-1.5">
            <Label htmlFor="jobTemplate">Job request (JSON)</Label>
            <textarea
              id="jobTemplate"
              name="jobTemplate"
              rows={8}
              value={jobTemplate}
              onChange={(event) => setJobTemplate(event.target.value)}
              className="rounded-md border bg-card p-2 font-mono text-xs"
              aria-invalid={Boolean(errors.jobTemplate)}
            />
            <p className="text-xs text-muted-foreground">The fields of a patch job request, such as hostIds, action, packages, dryRun and timeoutSeconds. It is checked now and again at each run.</p>
            <FieldError errors={errors} field="jobTemplate" />
          </div>

          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="enabled" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
            Enabled
          </label>

          <div>
            <Button type="submit" disabled={pending}>
              <Save aria-hidden /> {pending ? 'Saving…' : 'Save schedule'}
            </Button>
          </div>
        </CardContent>
      </Card>

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
    </form>
  );
}
