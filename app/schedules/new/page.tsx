import type { Metadata } from 'next';
import { requireUser } from '@/lib/console-context';
import { ScheduleForm } from '@/components/schedule-form';
import { EMPTY_JOB_FORM } from '@/lib/patching/job-form-values';
import { saveScheduleAction } from '../actions';
import { loadJobChoices } from '../job-choices';
import { timeZoneChoices } from '../time-zones';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New schedule' };

const EXAMPLE_TEMPLATE = JSON.stringify({ groupIds: [], action: 'security' }, null, 2);

export default async function NewSchedulePage() {
  const ctx = await requireUser();
  const choices = await loadJobChoices(ctx, []);

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">New schedule</h1>
      <ScheduleForm
        action={saveScheduleAction}
        timeZones={timeZoneChoices()}
        {...choices}
        initial={{
          scheduleId: null,
          name: '',
          kind: 'recurring',
          runAt: '',
          cronExpression: '0 2 * * *',
          timeZone: 'UTC',
          job: EMPTY_JOB_FORM,
          jobTemplate: EXAMPLE_TEMPLATE,
          enabled: true,
        }}
      />
    </div>
  );
}
