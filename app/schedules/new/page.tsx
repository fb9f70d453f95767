import type { Metadata } from 'next';
import { requireUser } from '@/lib/console-context';
import { ScheduleForm } from '@/components/schedule-form';
import { saveScheduleAction } from '../actions';
import { timeZoneChoices } from '../time-zones';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New schedule' };

const EXAMPLE_TEMPLATE = JSON.stringify({ hostIds: [], action: 'security' }, null, 2);

export default async function NewSchedulePage() {
  await requireUser();

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">New schedule</h1>
      <ScheduleForm
        action={saveScheduleAction}
        timeZones={timeZoneChoices()}
        initial={{
          scheduleId: null,
          name: '',
          kind: 'recurring',
          runAt: '',
          cronExpression: '0 2 * * *',
          timeZone: 'UTC',
          jobTemplate: EXAMPLE_TEMPLATE,
          enabled: true,
        }}
      />
    </div>
  );
}
