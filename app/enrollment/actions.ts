'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleContext } from '@/lib/console-context';
import { createEnrollmentToken } from '@/lib/enrollment/create-enrollment-token';
import { revokeEnrollmentToken } from '@/lib/enrollment/revoke-enrollment-token';
import { AppError, NotFoundError, ValidationError } from '@/lib/errors';
import { optionalWholeNumber } from '@/lib/validation';

export type EnrollmentFormField = 'description' | 'ttlHours' | 'maxUses' | 'groupId' | 'form';

export interface EnrollmentFormState {
  errors: Partial<Record<EnrollmentFormField, string>>;
  /** The new token, present only in the response to the request that created it. */
  created?: { token: string; enrollCommand: string; installCommand: string; expiresAt: string; groupName: string | null };
}

const FIELDS = new Set<string>(['description', 'ttlHours', 'maxUses', 'groupId']);

const formSchema = z.object({
  description: z.string().trim().max(200, { error: 'Enter at most 200 characters.' }),
  ttlHours: optionalWholeNumber('Enter the lifetime as a whole number of hours, or leave it empty for the default.'),
  maxUses: optionalWholeNumber('Enter the number of uses as a whole number, or leave it empty for one use.'),
  // The select sends an empty value for "No group"; lib/ checks that an id names a group.
  groupId: z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value)),
});

/**
 * Creates an enrollment token from the form. The token and its enroll command go
 * back in this one response only, because the database keeps just a hash.
 */
export async function createEnrollmentTokenAction(_previous: EnrollmentFormState, formData: FormData): Promise<EnrollmentFormState> {
  const parsed = formSchema.safeParse({
    description: formData.get('description') ?? '',
    ttlHours: formData.get('ttlHours') ?? '',
    maxUses: formData.get('maxUses') ?? '',
    groupId: formData.get('groupId') ?? '',
  });
  if (!parsed.success) {
    const errors: EnrollmentFormState['errors'] = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      const key = (FIELDS.has(field) ? field : 'form') as EnrollmentFormField;
      errors[key] ??= issue.message;
    }
    return { errors };
  }

  try {
    const ctx = await consoleContext();
    const created = await createEnrollmentToken(ctx, parsed.data);
    revalidatePath('/enrollment');
    return {
      errors: {},
      created: {
        token: created.token,
        enrollCommand: created.enrollCommand,
        installCommand: created.installCommand,
        expiresAt: created.expiresAt.toISOString(),
        groupName: created.group?.name ?? null,
      },
    };
  } catch (error) {
    // A group deleted after the page loaded is a NotFoundError on `groupId`.
    if (error instanceof ValidationError || (error instanceof NotFoundError && error.field === 'groupId')) {
      // lib/ names nested fields with a path such as `packages.2` and starts its
      // messages with that path, which the form already shows by the field.
      const field = error.field?.split('.')[0] ?? '';
      const key = (FIELDS.has(field) ? field : 'form') as EnrollmentFormField;
      const message = key === 'form' ? error.message : error.message.replace(/^[\w.]+: /, '');
      return { errors: { [key]: message } };
    }
    throw error;
  }
}

/** Result of revoking one token, shown beside its row. */
export interface RevokeTokenState {
  error?: string;
}

/** Revokes the enrollment token named by the form's `tokenId`. */
export async function revokeEnrollmentTokenAction(_previous: RevokeTokenState, formData: FormData): Promise<RevokeTokenState> {
  try {
    const ctx = await consoleContext();
    await revokeEnrollmentToken(ctx, { tokenId: String(formData.get('tokenId') ?? '') });
    revalidatePath('/enrollment');
    return {};
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}
