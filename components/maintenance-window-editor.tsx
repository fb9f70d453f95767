'use client';

import { useActionState, useState } from 'react';
import { Plus, Save, Trash2 } from 'lucide-react';
import type { MaintenanceWindowsFormState } from '@/app/admin/maintenance-windows/actions';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';

/** A window in the editor's state; `startTime` is HH:MM. */
export interface EditableWindow {
  daysOfWeek: number[];
  startTime: string;
  durationMinutes: number;
  timeZone: string;
}

export interface MaintenanceWindowEditorProps {
  groupId: string;
  initial: EditableWindow[];
  timeZones: string[];
  action: (previous: MaintenanceWindowsFormState, formData: FormData) => Promise<MaintenanceWindowsFormState>;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const NEW_WINDOW: EditableWindow = { daysOfWeek: [6], startTime: '22:00', durationMinutes: 240, timeZone: 'UTC' };

/** Edits the weekly maintenance windows of one group and saves the whole list at once. */
export function MaintenanceWindowEditor({ groupId, initial, timeZones, action }: MaintenanceWindowEditorProps) {
  const [windows, setWindows] = useState<EditableWindow[]>(initial);
  const [state, formAction, pending] = useActionState(action, { error: null, saved: false });

  function change(index: number, patch: Partial<EditableWindow>) {
    setWindows((previous) => previous.map((window, position) => (position === index ? { ...window, ...patch } : window)));
  }

  function toggleDay(index: number, day: number, checked: boolean) {
    const days = new Set(windows[index]?.daysOfWeek ?? []);
    if (checked) {
      days.add(day);
    } else {
      days.delete(day);
    }
    change(index, { daysOfWeek: [...days].sort((a, b) => a - b) });
  }

  return (
    <form action={formAction} className="flex flex-col gap-3" data-testid="maintenance-window-editor" data-group-id={groupId}>
      <input type="hidden" name="groupId" value={groupId} />
      <input type="hidden" name="windows" value={JSON.stringify(windows)} />

      {windows.length === 0 && <p className="text-sm text-muted-foreground">No windows: hosts of this group may start at any time unless another of their groups has windows.</p>}
      {windows.map((window, index) => (
        <fieldset key={index} className="flex flex-wrap items-end gap-3 rounded-md border p-3" data-testid="maintenance-window">
          <legend className="sr-only">Window {index + 1}</legend>
          <div className="flex gap-2 text-sm">
            {DAYS.map((label, day) => (
              <label key={label} className="flex items-center gap-1">
                <input type="checkbox" checked={window.daysOfWeek.includes(day)} onChange={(event) => toggleDay(index, day, event.target.checked)} />
                {label}
              </label>
            ))}
          </div>
          <label className="flex flex-col gap-1 text-sm">
            Start
            <Input type="time" value={window.startTime} onChange={(event) => change(index, { startTime: event.target.value })} className="w-28" />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            Minutes
            <Input
              type="number"
              min={1}
              max={10080}
              value={window.durationMinutes}
              onChange={(event) => change(index, { durationMinutes: Number(event.target.value) })}
              className="w-24"
            />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            Time zone
            <Select value={window.timeZone} onChange={(event) => change(index, { timeZone: event.target.value })}>
              {timeZones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </Select>
          </label>
          <Button variant="ghost" onClick={() => setWindows((previous) => previous.filter((_, position) => position !== index))} aria-label={`Remove window ${index + 1}`}>
            <Trash2 aria-hidden />
          </Button>
        </fieldset>
      ))}

      <div className="flex items-center gap-2">
        <Button variant="outline" onClick={() => setWindows((previous) => [...previous, NEW_WINDOW])}>
          <Plus aria-hidden /> Add window
        </Button>
        <Button type="submit" disabled={pending}>
          <Save aria-hidden /> {pending ? 'Saving…' : 'Save windows'}
        </Button>
        {state.error && (
          <p className="text-sm text-destructive" data-testid="maintenance-window-error">
            {state.error}
          </p>
        )}
        {state.saved && !state.error && <p className="text-sm text-muted-foreground">Saved.</p>}
      </div>
    </form>
  );
}
