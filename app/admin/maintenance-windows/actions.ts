'use server';

import { revalidatePath } from 'next/cache';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { setMaintenanceWindows } from '@/lib/maintenance/set-maintenance-windows';

/** Result of saving one group's windows: a message naming the field at fault, or a saved flag. */
export interface MaintenanceWindowsFormState {
  error: string | null;
  saved: boolean;
}

/** Replaces a group's maintenance windows with the list the editor sends as JSON in `windows`. */
export async function saveMaintenanceWindowsAction(_previous: MaintenanceWindowsFormState, formData: FormData): Promise<MaintenanceWindowsFormState> {
  let windows: unknown;
  try {
    windows = JSON.parse(String(formData.get('windows') ?? ''));
  } catch {
    return { error: 'The window list could not be read; reload the page and try again.', saved: false };
  }

  try {
    const ctx = await consoleContext();
    await setMaintenanceWindows(ctx, { groupId: String(formData.get('groupId') ?? ''), request: { windows: windows as never } });
  } catch (error) {
    if (error instanceof AppError) {
      return { error: error.message, saved: false };
    }
    throw error;
  }
  revalidatePath('/admin/maintenance-windows');
  return { error: null, saved: true };
}
