'use client';

import { useActionState } from 'react';
import { Pause, Play, Trash2 } from 'lucide-react';
import type { ScheduleControlState } from '@/app/schedules/actions';
import { Button } from '@/components/ui/button';

export interface ScheduleControlsProps {
  scheduleId: string;
  enabled: boolean;
  setEnabled: (previous: ScheduleControlState, formData: FormData) => Promise<ScheduleControlState>;
  remove: (previous: ScheduleControlState, formData: FormData) => Promise<ScheduleControlState>;
}

/** Renders the enable/disable and delete buttons of a schedule, with the error of the last attempt. */
export function ScheduleControls({ scheduleId, enabled, setEnabled, remove }: ScheduleControlsProps) {
  const [toggleState, toggleAction, toggling] = useActionState(setEnabled, { error: null });
  const [removeState, removeAction, removing] = useActionState(remove, { error: null });
  const error = toggleState.error ?? removeState.error;

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex gap-2">
        <form action={toggleAction}>
          <input type="hidden" name="scheduleId" value={scheduleId} />
          <input type="hidden" name="enabled" value={enabled ? 'false' : 'true'} />
          <Button type="submit" variant="outline" disabled={toggling}>
            {enabled ? <Pause aria-hidden /> : <Play aria-hidden />} {enabled ? 'Disable' : 'Enable'}
          </Button>
        </form>
        <form
          action={removeAction}
          onSubmit={(event) => {
            if (!window.confirm('Delete this schedule and its run history? Jobs it created stay.')) {
              event.preventDefault();
            }
          }}
        >
          <input type="hidden" name="scheduleId" value={scheduleId} />
          <Button type="submit" variant="destructive" disabled={removing}>
            <Trash2 aria-hidden /> Delete
          </Button>
        </form>
      </div>
      {error && (
        <p className="text-sm text-destructive" data-testid="schedule-control-error">
          {error}
        </p>
      )}
    </div>
  );
}
