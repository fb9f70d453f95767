'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { consoleContext } from '@/lib/console-context';
import { createGroup } from '@/lib/groups/create-group';
import { deleteGroup } from '@/lib/groups/delete-group';
import { setGroupHosts } from '@/lib/groups/set-group-hosts';
import { updateGroup } from '@/lib/groups/update-group';
import { formResult, type FormResult } from '@/lib/http/form-result';

function text(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
}

function all(formData: FormData, name: string): string[] {
  return formData.getAll(name).filter((value): value is string => typeof value === 'string');
}

/** Creates a host group from the name and description fields. */
export async function createGroupAction(_previous: FormResult, formData: FormData): Promise<FormResult> {
  const name = text(formData, 'name');
  const result = await formResult(async () => {
    await createGroup(await consoleContext(), { name, description: text(formData, 'description') });
  }, `Group ${name.trim()} created.`);
  if (result.ok) revalidatePath('/admin/groups');
  return result;
}

/** Renames a group or changes its description. */
export async function updateGroupAction(_previous: FormResult, formData: FormData): Promise<FormResult> {
  const groupId = text(formData, 'groupId');
  const result = await formResult(async () => {
    await updateGroup(await consoleContext(), { groupId, name: text(formData, 'name'), description: text(formData, 'description') });
  }, 'Group saved.');
  if (result.ok) revalidatePath(`/admin/groups/${groupId}`);
  return result;
}

/** Replaces the group's member hosts with the checked ones. */
export async function setGroupHostsAction(_previous: FormResult, formData: FormData): Promise<FormResult> {
  const groupId = text(formData, 'groupId');
  const hostIds = all(formData, 'hostIds');
  const result = await formResult(async () => {
    await setGroupHosts(await consoleContext(), { groupId, hostIds });
  }, `Member hosts saved (${hostIds.length}).`);
  if (result.ok) revalidatePath(`/admin/groups/${groupId}`);
  return result;
}

/** Deletes the group and returns to the group list. */
export async function deleteGroupAction(_previous: FormResult, formData: FormData): Promise<FormResult> {
  const groupId = text(formData, 'groupId');
  const result = await formResult(async () => {
    await deleteGroup(await consoleContext(), { groupId });
  }, 'Group deleted.');
  if (result.error) {
    return result;
  }
  revalidatePath('/admin/groups');
  redirect('/admin/groups');
}
