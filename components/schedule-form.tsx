'use client';

import { useState } from 'react';
import { AlertCircle, Save } from 'lucide-react';
import type { ScheduleFormState } from '@/app/schedules/actions';
import { FieldError } from '@/components/field-error';
import { JobActionFields } from '@/components/job-action-fields';
import { JobRolloutFields, type ChoosableCommand } from '@/components/job-rollout-fields';
import { JobScopeCard, useChosenHosts, type ChoosableGroup, type ListedHost } from '@/components/job-scope-fields';
import { ScheduleRunPreview } from '@/components/schedule-run-preview';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { EMPTY_JOB_FORM, type JobFormValues } from '@/lib/patching/job-form-values';

/** Values the form starts with; `runAt` is a `datetime-local` value in `timeZone`. */
export interface ScheduleFormValues {
  scheduleId: string | null;
  name: string;
  kind: 'once' | 'recurring';
  runAt: string;
  cronExpression: string;
  timeZone: string;
  /** The job fields, or null when they cannot show the stored job template. */
  job: JobFormValues | null;
  /** The stored job template as JSON text, for the advanced section. */
  jobTemplate: string;
  enabled: boolean;
}

export interface ScheduleFormProps {
  action: (previous: ScheduleFormState, formData: FormData) => Promise<ScheduleFormState>;
  initial: ScheduleFormValues;
  /** IANA zone names offered in the select. */
  timeZones: string[];
  /** Hosts the operator can choose, the stored chosen ones included. */
  hosts: ListedHost[];
  /** Groups the operator may target. */
  groups: ChoosableGroup[];
  /** Approved commands for the pre and post command choice. */
  commands: ChoosableCommand[];
}

type Errors = ScheduleFormState['errors'];

/** Renders the fields of the schedule itself: name, kind, one-off time or cron expression, time zone and the enabled box. */
function TimingFields({ errors, timeZones, initial, timing }: { errors: Errors; timeZones: string[]; initial: ScheduleFormValues; timing: ReturnType<typeof useTiming> }) {
  const [name, setName] = useState(initial.name);
  const [enabled, setEnabled] = useState(initial.enabled);
  const { kind, setKind, runAt, setRunAt, cronExpression, setCronExpression, timeZone, setTimeZone } = timing;

  return (
    <Card>
      <CardHeader>
        <CardTitle>{initial.scheduleId ? 'Edit schedule' : 'New schedule'}</CardTitle>
        <CardDescription>The worker creates the patch job at each run time. A run found more than the grace period late is recorded as missed and not started.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
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

        {/* The keys make React replace the input when the kind changes; reusing it would carry the cron text into the date field. */}
        {kind === 'recurring' ? (
          <div key="cronExpression" className="flex flex-col gap-1.5">
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
          <div key="runAt" className="flex flex-col gap-1.5">
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

        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="enabled" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
          Enabled
        </label>
      </CardContent>
    </Card>
  );
}

/** Keeps the timing fields, which both the form and the run preview read. */
function useTiming(initial: ScheduleFormValues) {
  const [kind, setKind] = useState(initial.kind);
  const [runAt, setRunAt] = useState(initial.runAt);
  const [cronExpression, setCronExpression] = useState(initial.cronExpression);
  const [timeZone, setTimeZone] = useState(initial.timeZone);
  return { kind, setKind, runAt, setRunAt, cronExpression, setCronExpression, timeZone, setTimeZone };
}

const SCOPE_DESCRIPTION = 'The hosts are resolved at each run: a group or a filter takes the hosts it has at that time.';

/** Renders the Hosts card of the schedule's job. */
function ScopeCard({ errors, job, hosts, groups }: { errors: Errors; job: JobFormValues; hosts: ListedHost[]; groups: ChoosableGroup[] }) {
  const chosenHosts = useChosenHosts(job.hostIds);
  const { chosen, setChosen } = chosenHosts;

  return (
    <JobScopeCard description={SCOPE_DESCRIPTION} errors={errors} groups={groups} initial={job} hosts={hosts} chosenHosts={chosenHosts}>
      <div className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
        <span>
          <span data-testid="chosen-count">{chosen.size}</span> chosen of {hosts.length} listed hosts.
        </span>
        <Button type="button" variant="ghost" onClick={() => setChosen(new Set())} disabled={chosen.size === 0}>
          Clear
        </Button>
      </div>
    </JobScopeCard>
  );
}

/** Renders the schedule form: the schedule's timing, the job it creates at each run, and a preview of the next runs. */
export function ScheduleForm({ action, initial, timeZones, hosts, groups, commands }: ScheduleFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, { errors: {} });
  const timing = useTiming(initial);
  const [useJson, setUseJson] = useState(initial.job === null);
  const job = initial.job ?? EMPTY_JOB_FORM;
  const errors = state.errors;

  return (
    <form action={formAction} onSubmit={onSubmit} className="grid items-start gap-4 lg:grid-cols-[2fr_1fr]" data-testid="schedule-form">
      {initial.scheduleId && <input type="hidden" name="scheduleId" value={initial.scheduleId} />}
      <div className="flex flex-col gap-4">
        {errors.form && (
          <Alert variant="destructive" data-testid="error-form">
            <AlertCircle aria-hidden />
            <AlertDescription>{errors.form}</AlertDescription>
          </Alert>
        )}

        <TimingFields errors={errors} timeZones={timeZones} initial={initial} timing={timing} />

        <div className={useJson ? 'hidden' : 'flex flex-col gap-4'} data-testid="job-fields">
          <ScopeCard errors={errors} job={job} hosts={hosts} groups={groups} />
          <JobActionFields errors={errors} initial={job} />
          <JobRolloutFields errors={errors} commands={commands} initial={job} />
        </div>

        <JobJsonSection errors={errors} initial={initial} useJson={useJson} onUseJsonChange={setUseJson} />

        <div>
          <Button type="submit" disabled={pending}>
            <Save aria-hidden /> {pending ? 'Saving…' : 'Save schedule'}
          </Button>
        </div>
      </div>

      <ScheduleRunPreview kind={timing.kind} runAt={timing.runAt} cronExpression={timing.cronExpression} timeZone={timing.timeZone} />
    </form>
  );
}

/**
 * Renders the advanced section with the job request as JSON. It is open, and
 * replaces the job fields, when the fields cannot show the stored template.
 */
function JobJsonSection({ errors, initial, useJson, onUseJsonChange }: { errors: Errors; initial: ScheduleFormValues; useJson: boolean; onUseJsonChange: (useJson: boolean) => void }) {
  const [jobTemplate, setJobTemplate] = useState(initial.jobTemplate);

  return (
    <details open={initial.job === null || Boolean(errors.jobTemplate)} className="rounded-md border bg-card p-4 text-sm" data-testid="job-json">
      <summary className="cursor-pointer font-medium">Advanced: job request as JSON</summary>
      <div className="mt-3 flex flex-col gap-1.5">
        {initial.job === null && <p className="text-muted-foreground">The stored job request uses options the fields above cannot show, so it is edited here.</p>}
        <label className="flex items-center gap-2">
          <input type="checkbox" name="jobTemplateMode" value="json" checked={useJson} onChange={(event) => onUseJsonChange(event.target.checked)} />
          Use this JSON instead of the job fields
        </label>
        <Label htmlFor="jobTemplate" className="sr-only">
          Job request (JSON)
        </Label>
        <textarea
          id="jobTemplate"
          name="jobTemplate"
          rows={8}
          value={jobTemplate}
          onChange={(event) => setJobTemplate(event.target.value)}
          disabled={!useJson}
          className="rounded-md border bg-card p-2 font-mono text-xs disabled:opacity-50"
          aria-invalid={Boolean(errors.jobTemplate)}
        />
        <p className="text-xs text-muted-foreground">The fields of a patch job request, such as groupIds, action, packages, dryRun and timeoutSeconds. It is checked now and again at each run.</p>
        <FieldError errors={errors} field="jobTemplate" />
      </div>
    </details>
  );
}
