'use client';

import { useState, type ReactNode } from 'react';
import { FieldError } from '@/components/field-error';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import type { ChoosableHost } from '@/lib/hosts/choosable-hosts';
import { EMPTY_JOB_FORM, type JobFormErrors, type JobFormValues } from '@/lib/patching/job-form-values';

/** A host group the job form offers as a scope. */
export interface ChoosableGroup {
  id: string;
  name: string;
  hostCount: number;
}

/** A host in the host list of a job scope; `other` marks a chosen host that the list would not show otherwise. */
export type ListedHost = ChoosableHost & { other: boolean };

const SCOPES = [
  { value: 'hosts', label: 'Chosen hosts' },
  { value: 'groups', label: 'Whole groups' },
  { value: 'filter', label: 'Hosts matching a filter' },
] as const;

/** Renders the choice of how a job picks its hosts. */
export function JobScopeChoice({ scope, onChange }: { scope: JobFormValues['scope']; onChange: (scope: JobFormValues['scope']) => void }) {
  return (
    <fieldset className="flex flex-wrap gap-4 text-sm" aria-label="How to pick the hosts">
      {SCOPES.map((option) => (
        <label key={option.value} className="flex items-center gap-2">
          <input type="radio" name="scope" value={option.value} checked={scope === option.value} onChange={() => onChange(option.value)} className="size-4" />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

/** Keeps the set of chosen host ids that a JobHostList shows. */
export function useChosenHosts(initial: string[]) {
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(initial));

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

  return { chosen, setChosen, toggle };
}

/** Renders the host checkboxes of a job scope; `chosen` and `onToggle` keep the choice in the caller. */
export function JobHostList({ hosts, chosen, onToggle, errors }: { hosts: ListedHost[]; chosen: Set<string>; onToggle: (id: string, checked: boolean) => void; errors: JobFormErrors }) {
  return (
    <>
      <div className="max-h-96 overflow-y-auto rounded-md border" aria-describedby={errors.hostIds ? 'hostIds-error' : undefined}>
        {hosts.length === 0 && <p className="p-4 text-sm text-muted-foreground">No hosts match.</p>}
        {hosts.map((host) => (
          <label key={host.id} className="flex cursor-pointer items-center gap-3 border-b px-3 py-2 text-sm last:border-0 hover:bg-muted/50" data-testid="job-host-option">
            <input type="checkbox" name="hostIds" value={host.id} checked={chosen.has(host.id)} onChange={(event) => onToggle(host.id, event.target.checked)} className="size-4" />
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
    </>
  );
}

/**
 * Renders the group choice of a job; the hosts are those in the groups when the
 * job is created. A group in `chosen` that `groups` lacks is listed by its id.
 */
export function JobGroupFields({ groups, errors, chosen = [] }: { groups: ChoosableGroup[]; errors: JobFormErrors; chosen?: string[] }) {
  const known = new Set(groups.map((group) => group.id));
  const unknown = chosen.filter((id) => !known.has(id));
  return (
    <div className="flex flex-col gap-2">
      {groups.length === 0 && <p className="text-sm text-muted-foreground">No group is available to you.</p>}
      {groups.map((group) => (
        <label key={group.id} className="flex items-center gap-3 text-sm">
          <input type="checkbox" name="groupIds" value={group.id} defaultChecked={chosen.includes(group.id)} className="size-4" />
          <span className="min-w-40 font-medium">{group.name}</span>
          <span className="text-muted-foreground">{group.hostCount} hosts</span>
        </label>
      ))}
      {unknown.map((id) => (
        <label key={id} className="flex items-center gap-3 text-sm">
          <input type="checkbox" name="groupIds" value={id} defaultChecked className="size-4" />
          <span className="min-w-40 font-mono">{id}</span>
          <span className="text-muted-foreground">group not found</span>
        </label>
      ))}
      <FieldError errors={errors} field="groupIds" />
    </div>
  );
}

/** Renders the host filter of a job; every filled condition must hold. */
export function JobFilterFields({ errors, initial = EMPTY_JOB_FORM.filter }: { errors: JobFormErrors; initial?: JobFormValues['filter'] }) {
  return (
    <div className="grid gap-3 md:grid-cols-3">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-name">Hostname pattern</Label>
        <Input id="filter-name" name="filterNamePattern" placeholder="web-* (any hostname when empty)" defaultValue={initial.namePattern} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-os-name">OS name</Label>
        <Input id="filter-os-name" name="filterOsName" placeholder="Debian GNU/Linux" defaultValue={initial.osName} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-os-version">OS version</Label>
        <Input id="filter-os-version" name="filterOsVersion" placeholder="12" defaultValue={initial.osVersion} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-security">Security updates</Label>
        <Select id="filter-security" name="filterHasSecurityUpdates" defaultValue={initial.hasSecurityUpdates}>
          <option value="">Any</option>
          <option value="yes">Has security updates</option>
          <option value="no">Has none</option>
        </Select>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-reboot">Reboot required</Label>
        <Select id="filter-reboot" name="filterRebootRequired" defaultValue={initial.rebootRequired}>
          <option value="">Any</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
          <option value="unknown">Unknown</option>
        </Select>
      </div>
      <label className="flex items-center gap-2 self-end text-sm">
        <input type="checkbox" name="filterOnlineOnly" defaultChecked={initial.onlineOnly} className="size-4" />
        Online hosts only
      </label>
      <div className="md:col-span-3">
        <FieldError errors={errors} field="filter" />
      </div>
    </div>
  );
}

interface JobScopeCardProps {
  description: string;
  errors: JobFormErrors;
  groups: ChoosableGroup[];
  /** The scope, groups and filter the fields start from. */
  initial: JobFormValues;
  hosts: ListedHost[];
  chosenHosts: ReturnType<typeof useChosenHosts>;
  /** Controls shown above the host list, such as a count and buttons. */
  children: ReactNode;
}

/** Renders the Hosts card of a job: how to pick the hosts, then the groups, the filter or the host list. */
export function JobScopeCard({ description, errors, groups, initial, hosts, chosenHosts, children }: JobScopeCardProps) {
  const [scope, setScope] = useState(initial.scope);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Hosts</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <JobScopeChoice scope={scope} onChange={setScope} />
        {scope === 'groups' && <JobGroupFields groups={groups} errors={errors} chosen={initial.groupIds} />}
        {scope === 'filter' && <JobFilterFields errors={errors} initial={initial.filter} />}
      </CardContent>
      <CardContent className={scope === 'hosts' ? 'flex flex-col gap-3' : 'hidden'}>
        {children}
        <JobHostList hosts={hosts} chosen={chosenHosts.chosen} onToggle={chosenHosts.toggle} errors={errors} />
      </CardContent>
    </Card>
  );
}
