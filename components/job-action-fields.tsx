'use client';

import { useState } from 'react';
import { FieldError } from '@/components/field-error';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { EMPTY_JOB_FORM, type JobFormErrors, type JobFormValues } from '@/lib/patching/job-form-values';

const ACTIONS = [
  { value: 'security', label: 'Security updates only' },
  { value: 'upgrade-all', label: 'Upgrade all packages' },
  { value: 'packages', label: 'Named packages' },
  { value: 'dist-upgrade', label: 'Full (dist) upgrade' },
  { value: 'refresh', label: 'Refresh inventory' },
] as const;

interface JobActionFieldsProps {
  errors: JobFormErrors;
  initial?: JobFormValues;
  /** Called when the dry run box changes, for a submit label that names the dry run. */
  onDryRunChange?: (dryRun: boolean) => void;
}

/** Renders the action of a job: what to run, the named packages, the timeout per host and the dry run. The fields start from `initial`. */
export function JobActionFields({ errors, initial = EMPTY_JOB_FORM, onDryRunChange }: JobActionFieldsProps) {
  const [jobAction, setJobAction] = useState(initial.action);
  const [packages, setPackages] = useState(initial.packages);
  const [dryRun, setDryRun] = useState(initial.dryRun);
  const [timeout, setTimeoutValue] = useState(initial.timeoutSeconds);

  function changeDryRun(checked: boolean) {
    setDryRun(checked);
    onDryRunChange?.(checked);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Action</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 md:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="job-action">Action</Label>
          <Select id="job-action" name="action" value={jobAction} onChange={(event) => setJobAction(event.target.value)} aria-invalid={Boolean(errors.action)}>
            {ACTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </Select>
          <FieldError errors={errors} field="action" />
        </div>

        <div className="flex flex-col gap-1.5">
          <Label htmlFor="job-timeout">Timeout per host (seconds)</Label>
          <Input id="job-timeout" name="timeoutSeconds" inputMode="numeric" placeholder="Server default" value={timeout} onChange={(event) => setTimeoutValue(event.target.value)} aria-invalid={Boolean(errors.timeoutSeconds)} />
          <FieldError errors={errors} field="timeoutSeconds" />
        </div>

        {jobAction === 'packages' && (
          <div className="flex flex-col gap-1.5 md:col-span-2">
            <Label htmlFor="job-packages">Packages</Label>
            <Input id="job-packages" name="packages" placeholder="openssl, libssl3 curl" value={packages} onChange={(event) => setPackages(event.target.value)} aria-invalid={Boolean(errors.packages)} />
            <p className="text-xs text-muted-foreground">Separate names with spaces or commas.</p>
            <FieldError errors={errors} field="packages" />
          </div>
        )}

        <div className="flex flex-col gap-1.5 md:col-span-2">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="dryRun" checked={dryRun} onChange={(event) => changeDryRun(event.target.checked)} className="size-4" />
            Dry run: the package manager simulates the action and changes nothing
          </label>
          <FieldError errors={errors} field="dryRun" />
        </div>
      </CardContent>
    </Card>
  );
}
