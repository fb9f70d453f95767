'use client';

import { useState } from 'react';
import { useKeptFormAction } from '@/components/use-kept-form-action';
import { AlertCircle, Play, Search } from 'lucide-react';
import type { JobFormState } from '@/app/jobs/new/actions';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { JobActionFields } from '@/components/job-action-fields';
import { JobRolloutFields, type ChoosableCommand } from '@/components/job-rollout-fields';
import { JobScopeCard, useChosenHosts, type ChoosableGroup } from '@/components/job-scope-fields';
import type { ChoosableHost } from '@/lib/hosts/choosable-hosts';
import { EMPTY_JOB_FORM } from '@/lib/patching/job-form-values';

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

const SCOPE_DESCRIPTION = 'The hosts are fixed when the job is created; hosts added to a group later are not part of it.';

/** Renders the patch job form: scope (hosts, groups or a filter), action, packages, dry run, timeout and rollout options. */
export function JobForm({ action, hosts, matchingCount, otherChosen, initialChosen, search, groups, commands }: JobFormProps) {
  const { state, formAction, pending, onSubmit } = useKeptFormAction(action, { errors: {} });
  const chosenHosts = useChosenHosts(initialChosen);
  const { chosen, setChosen } = chosenHosts;
  const [dryRun, setDryRun] = useState(false);
  const errors = state.errors;

  let submitLabel = dryRun ? 'Start dry run' : 'Start job';
  if (pending) {
    submitLabel = 'Starting…';
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

        <JobScopeCard description={SCOPE_DESCRIPTION} errors={errors} groups={groups} initial={EMPTY_JOB_FORM} hosts={listed} chosenHosts={chosenHosts}>
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
        </JobScopeCard>

        <JobActionFields errors={errors} onDryRunChange={setDryRun} />

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
