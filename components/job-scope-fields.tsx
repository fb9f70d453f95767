'use client';

import type { JobFormState } from '@/app/jobs/new/actions';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Select } from '@/components/ui/select';
import { FieldError } from '@/components/job-rollout-fields';

/** A host group the job form offers as a scope. */
export interface ChoosableGroup {
  id: string;
  name: string;
  hostCount: number;
}

/** Renders the group choice of the job form; the hosts are those in the groups when the job is created. */
export function JobGroupFields({ groups, errors }: { groups: ChoosableGroup[]; errors: JobFormState['errors'] }) {
  return (
    <div className="flex flex-col gap-2">
      {groups.length === 0 && <p className="text-sm text-muted-foreground">No group is available to you.</p>}
      {groups.map((group) => (
        <label key={group.id} className="flex items-center gap-3 text-sm">
          <input type="checkbox" name="groupIds" value={group.id} className="size-4" />
          <span className="min-w-40 font-medium">{group.name}</span>
          <span className="text-muted-foreground">{group.hostCount} hosts</span>
        </label>
      ))}
      <FieldError errors={errors} field="groupIds" />
    </div>
  );
}

/** Renders the host filter of the job form; every filled condition must hold. */
export function JobFilterFields({ errors }: { errors: JobFormState['errors'] }) {
  return (
    <div className="grid gap-3 md:grid-cols-3">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-name">Hostname pattern</Label>
        <Input id="filter-name" name="filterNamePattern" placeholder="web-* (any hostname when empty)" />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-os-name">OS name</Label>
        <Input id="filter-os-name" name="filterOsName" placeholder="Debian GNU/Linux" />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-os-version">OS version</Label>
        <Input id="filter-os-version" name="filterOsVersion" placeholder="12" />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-security">Security updates</Label>
        <Select id="filter-security" name="filterHasSecurityUpdates" defaultValue="">
          <option value="">Any</option>
          <option value="yes">Has security updates</option>
          <option value="no">Has none</option>
        </Select>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="filter-reboot">Reboot required</Label>
        <Select id="filter-reboot" name="filterRebootRequired" defaultValue="">
          <option value="">Any</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
          <option value="unknown">Unknown</option>
        </Select>
      </div>
      <label className="flex items-center gap-2 self-end text-sm">
        <input type="checkbox" name="filterOnlineOnly" className="size-4" />
        Online hosts only
      </label>
      <div className="md:col-span-3">
        <FieldError errors={errors} field="filter" />
      </div>
    </div>
  );
}
