'use server';

import { revalidatePath } from 'next/cache';
import { consoleContext } from '@/lib/console-context';
import { setUserGroups } from '@/lib/groups/set-user-groups';
import { formResult, type FormResult } from '@/lib/http/form-result';

/** Replaces the groups a user is assigned to with the checked ones. */
export async function setUserGroupsAction(_previous: FormResult, formData: FormData): Promise<FormResult> {
  const userId = String(formData.get('userId') ?? '');
  const groupIds = formData.getAll('groupIds').filter((value): value is string => typeof value === 'string');
  const result = await formResult(async () => {
    await setUserGroups(await consoleContext(), { userId, groupIds });
  }, 'Groups saved.');
  if (result.ok) revalidatePath('/admin/users');
  return result;
}
