'use client';

import { FieldError } from '@/components/field-error';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { EMPTY_JOB_FORM, type JobFormErrors, type JobFormField, type JobFormValues } from '@/lib/patching/job-form-values';

/** An approved command the job form offers as a pre or post command. */
export interface ChoosableCommand {
  id: string;
  name: string;
}

interface CountWithUnitProps {
  id: string;
  name: 'canary' | 'stopAfter';
  label: string;
  placeholder: string;
  errors: JobFormErrors;
  field: JobFormField;
  initial: JobFormValues;
}

function CountWithUnit({ id, name, label, placeholder, errors, field, initial }: CountWithUnitProps) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <div className="flex gap-2">
        <Input id={id} name={name} inputMode="numeric" placeholder={placeholder} defaultValue={initial[name]} aria-invalid={Boolean(errors[field])} />
        <Select name={`${name}Unit`} aria-label={`${label} unit`} defaultValue={initial[`${name}Unit`]} className="w-32">
          <option value="hosts">hosts</option>
          <option value="percent">% of hosts</option>
        </Select>
      </div>
      <FieldError errors={errors} field={field} />
    </div>
  );
}

/**
 * Renders the rollout options of a job: waves, parallelism, failure limit, reboot
 * policy and approved commands. The fields start from `initial`.
 */
export function JobRolloutFields({ errors, commands, initial = EMPTY_JOB_FORM }: { errors: JobFormErrors; commands: ChoosableCommand[]; initial?: JobFormValues }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Rollout</CardTitle>
        <CardDescription>Leave a field empty for no limit. A canary wave runs first; the rest starts only if the failure limit held.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 md:grid-cols-2">
        <CountWithUnit id="job-canary" name="canary" label="Canary wave" placeholder="One wave" errors={errors} field="canary" initial={initial} />
        <CountWithUnit id="job-stop-after" name="stopAfter" label="Stop after failures" placeholder="No limit" errors={errors} field="stopAfter" initial={initial} />

        <div className="flex flex-col gap-1.5">
          <Label htmlFor="job-max-parallel">Hosts at a time</Label>
          <Input id="job-max-parallel" name="maxParallel" inputMode="numeric" placeholder="No limit" defaultValue={initial.maxParallel} aria-invalid={Boolean(errors.maxParallel)} />
          <FieldError errors={errors} field="maxParallel" />
        </div>

        <div className="flex flex-col gap-1.5">
          <Label htmlFor="job-reboot-policy">Reboot</Label>
          <div className="flex gap-2">
            <Select id="job-reboot-policy" name="rebootPolicy" defaultValue={initial.rebootPolicy} aria-invalid={Boolean(errors.rebootPolicy)}>
              <option value="never">Never</option>
              <option value="if-required">If required</option>
              <option value="always">Always</option>
            </Select>
            <Input
              name="rebootTimeoutSeconds"
              inputMode="numeric"
              placeholder="Wait 900 s"
              defaultValue={initial.rebootTimeoutSeconds}
              aria-label="Seconds to wait for the host after a reboot"
              aria-invalid={Boolean(errors.rebootTimeoutSeconds)}
            />
          </div>
          <FieldError errors={errors} field="rebootPolicy" />
          <FieldError errors={errors} field="rebootTimeoutSeconds" />
        </div>

        {(['preCommandId', 'postCommandId'] as const).map((field) => (
          <div key={field} className="flex flex-col gap-1.5">
            <Label htmlFor={`job-${field}`}>{field === 'preCommandId' ? 'Command before patching' : 'Command after patching'}</Label>
            <Select id={`job-${field}`} name={field} defaultValue={initial[field]} aria-invalid={Boolean(errors[field])}>
              <option value="">None</option>
              {initial[field] !== '' && !commands.some((command) => command.id === initial[field]) && <option value={initial[field]}>Unknown command {initial[field]}</option>}
              {commands.map((command) => (
                <option key={command.id} value={command.id}>
                  {command.name}
                </option>
              ))}
            </Select>
            <FieldError errors={errors} field={field} />
          </div>
        ))}
      </CardContent>
    </Card>
  );
}
