'use server';

import { revalidatePath } from 'next/cache';
import { createCommand } from '@/lib/commands/create-command';
import { deleteCommand } from '@/lib/commands/delete-command';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';

export type CommandFormField = 'name' | 'argv' | 'timeoutSeconds' | 'form';

export interface CommandFormState {
  errors: Partial<Record<CommandFormField, string>>;
  /** Set after a successful create, so the form can clear itself. */
  created?: string;
}

const FIELDS = new Set<string>(['name', 'argv', 'timeoutSeconds']);

/**
 * Approves a command from the Admin form. Arguments come one per line and are
 * stored as argv as typed, so nothing is shell-parsed.
 */
export async function createCommandAction(_previous: CommandFormState, formData: FormData): Promise<CommandFormState> {
  const argv = String(formData.get('argv') ?? '')
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
  const timeoutText = String(formData.get('timeoutSeconds') ?? '').trim();
  if (!/^\d*$/.test(timeoutText)) {
    return { errors: { timeoutSeconds: 'Enter the timeout as a whole number of seconds, or leave it empty for 300.' } };
  }

  try {
    const ctx = await consoleContext();
    const name = String(formData.get('name') ?? '');
    await createCommand(ctx, { name, argv, ...(timeoutText === '' ? {} : { timeoutSeconds: Number(timeoutText) }) });
    revalidatePath('/admin/commands');
    return { errors: {}, created: name };
  } catch (error) {
    if (error instanceof AppError && error.code !== 'forbidden') {
      const field = error.field?.split('.')[0] ?? '';
      const key = (FIELDS.has(field) ? field : 'form') as CommandFormField;
      const message = key === 'form' ? error.message : error.message.replace(/^[\w.]+: /, '');
      return { errors: { [key]: message } };
    }
    throw error;
  }
}

/** Removes an approved command; jobs created earlier keep their own copy. */
export async function deleteCommandAction(formData: FormData): Promise<void> {
  const ctx = await consoleContext();
  await deleteCommand(ctx, { commandId: String(formData.get('commandId') ?? '') });
  revalidatePath('/admin/commands');
}
