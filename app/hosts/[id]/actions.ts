'use server';

import { revalidatePath } from 'next/cache';
import { consoleContext } from '@/lib/console-context';
import { setHostGroups } from '@/lib/groups/set-host-groups';
import { formResult, type FormResult } from '@/lib/http/form-result';

/** Replaces the host's groups with the checked ones. Admin only, because setHostGroups rejects every other actor. */
export async function setHostGroupsAction(_previous: FormResult, formData: FormData): Promise<FormResult> {
  const hostId = String(formData.get('hostId') ?? '');
  const groupIds = formData.getAll('groupIds').filter((value): value is string => typeof value === 'string');
  const result = await formResult(async () => {
    await setHostGroups(await consoleContext(), { hostId, groupIds });
  }, 'Groups saved.');
  if (result.ok) revalidatePath(`/hosts/${hostId}`);
  return result;
}
