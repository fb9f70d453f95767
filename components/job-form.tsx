'use client';

import { useState } from 'react';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { AlertCircle, Play, Search } from 'lucide-react';
import type { JobFormState } from '@/app/jobs/new/actions';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { FieldError, JobRolloutFields, type ChoosableCommand } from '@/components/job-rollout-fields';
import { JobFilterFields, JobGroupFields, type ChoosableGroup } from '@/components/job-scope-fields';

/** A host the operator can choose, as the job form lists it. */
export interface ChoosableHost {
  id: string;
  hostname: string;
  os: string;
  status: string;
  securityCount: number;
  pendingCount: number;
}

export interface JobFormProps {
  action: (previous: JobFormState, formData: FormData) => Promise<JobFormState>;
  /** Hosts matching the current search, at most the shown limit. */
  hosts: ChoosableHost[];
  /** How many hosts match the search in total. */
  matchingCount: number;
  /** Chosen hosts that the current search does not list, kept chosen across searches. */
  otherChosen: { id: string; hostname: string }[];
  initialChosen: string[];
  search: string;
  /** Groups the user may target. */
  groups: ChoosableGroup[];
  /** Approved commands for the pre and post command choice. */
  commands: ChoosableCommand[];
}

const SCOPES = [
  { value: 'hosts', label: 'Chosen hosts' },
  { value: 'groups', label: 'Whole groups' },
  { value: 'filter', label: 'Hosts matching a filter' },
] as const;

const ACTIONS = [
  { value: 'security', label: 'Security updates only' },
  { value: 'upgrade-all', label: 'Upgrade all packages' },
  { value: 'packages', label: 'Named packages' },
  { value: 'dist-upgrade', label: 'Full (dist) upgrade' },
  { value: 'refresh', label: 'Refresh inventory' },
] as const;

/** Renders the patch job form: scope (hosts, groups or a filter), action, packages, dry run, timeout and rollout options. */
export function JobForm({ action, hosts, matchingCount, otherChosen, initialChosen, search, groups, commands }: JobFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, { errors: {} });
  const [scope, setScope] = useState<(typeof SCOPES)[number]['value']>('hosts');
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(initialChosen));
  const [jobAction, setJobAction] = useState<string>('security');
  const [packages, setPackages] = useState('');
  const [dryRun, setDryRun] = useState(false);
  const [timeout, setTimeoutValue] = useState('');
  const errors = state.errors;

  let submitLabel = dryRun ? 'Start dry run' : 'Start job';
  if (pending) {
    submitLabel = 'Starting…';
  }

  function toggle(id: string, checked: boolean) {
    setChosen((previous) => {
      const next = new Set(previous);
      if (checked) {
        next.add(id);
      } else {
        next.delete(id);
      }
      return next;
    });
  }

  function chooseAllShown() {
    setChosen((previous) => new Set([...previous, ...hosts.map((host) => host.id)]));
  }

  const listed = [...otherChosen.map((host) => ({ ...host, os: '', status: '', securityCount: 0, pendingCount: 0, other: true })), ...hosts.map((host) => ({ ...host, other: false }))];

  return (
    <>
      {/* The search form is empty here; its inputs sit in the host card and point at it with form="host-search". */}
      <form id="host-search" method="get" action="/jobs/new">
        {[...chosen].map((id) => (
          <input key={id} type="hidden" name="host" value={id} />
        ))}
      </form>

      <form action={formAction} onSubmit={onSubmit} className="flex flex-col gap-4" data-testid="job-form">
        {errors.form && (
          <Alert variant="destructive">
            <AlertCircle aria-hidden />
            <AlertDescription data-testid="error-form">{errors.form}</AlertDescription>
          </Alert>
        )}

        <Card>
          <CardHeader>
            <CardTitle>Hosts</CardTitle>
            <CardDescription>The hosts are fixed when the job is created; hosts added to a group later are not part of it.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            <fieldset className="flex flex-wrap gap-4 text-sm" aria-label="How to pick the hosts">
              {SCOPES.map((option) => (
                <label key={option.value} className="flex items-center gap-2">
                  <input type="radio" name="scope" value={option.value} checked={scope === option.value} onChange={() => setScope(option.value)} className="size-4" />
                  {option.label}
                </label>
              ))}
            </fieldset>
            {scope === 'groups' && <JobGroupFields groups={groups} errors={errors} />}
            {scope === 'filter' && <JobFilterFields errors={errors} />}
          </CardContent>
          <CardContent className={scope === 'hosts' ? 'flex flex-col gap-3' : 'hidden'}>
            <p className="text-sm text-muted-foreground">
              <span data-testid="chosen-count">{chosen.size}</span> chosen. Showing {hosts.length} of {matchingCount} matching hosts, most security
              updates first.
            </p>
            <div className="flex flex-wrap gap-2">
              <Input form="host-search" name="q" type="search" aria-label="Search hosts" placeholder="Hostname, OS or IP address" defaultValue={search} className="max-w-sm" />
              <Button form="host-search" type="submit" variant="secondary">
                <Search aria-hidden /> Search
              </Button>
              <Button type="button" variant="outline" onClick={chooseAllShown} disabled={hosts.length === 0}>
                Choose all shown
              </Button>
              <Button type="button" variant="ghost" onClick={() => setChosen(new Set())} disabled={chosen.size === 0}>
                Clear
              </Button>
            </div>
            <div className="max-h-96 overflow-y-auto rounded-md border" aria-describedby={errors.hostIds ? 'hostIds-error' : undefined}>
              {listed.length === 0 && <p className="p-4 text-sm text-muted-foreground">No hosts match.</p>}
              {listed.map((host) => (
                <label key={host.id} className="flex cursor-pointer items-center gap-3 border-b px-3 py-2 text-sm last:border-0 hover:bg-muted/50" data-testid="job-host-option">
                  <input type="checkbox" name="hostIds" value={host.id} checked={chosen.has(host.id)} onChange={(event) => toggle(host.id, event.target.checked)} className="size-4" />
                  <span className="min-w-40 font-medium">{host.hostname}</span>
                  {host.other ? (
                    <span className="text-muted-foreground">chosen earlier</span>
                  ) : (
                    <>
                      <span className="flex-1 text-muted-foreground">{host.os}</span>
                      {host.securityCount > 0 && <Badge variant="destructive">{host.securityCount} security</Badge>}
                      <span className="w-24 text-right text-muted-foreground">{host.pendingCount} pending</span>
                      <span className="w-16 text-right text-muted-foreground">{host.status}</span>
                    </>
                  )}
                </label>
              ))}
            </div>
            <FieldError errors={errors} field="hostIds" />
          </CardContent>
        </Card>

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
                <input type="checkbox" name="dryRun" checked={dryRun} onChange={(event) => setDryRun(event.target.checked)} className="size-4" />
                Dry run: the package manager simulates the action and changes nothing
              </label>
              <FieldError errors={errors} field="dryRun" />
            </div>
          </CardContent>
        </Card>

        <JobRolloutFields errors={errors} commands={commands} />

        <div>
          <Button type="submit" disabled={pending} data-testid="start-job">
            <Play aria-hidden /> {submitLabel}
          </Button>
        </div>
      </form>
    </>
  );
}
