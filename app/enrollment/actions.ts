'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleContext } from '@/lib/console-context';
import { createEnrollmentToken } from '@/lib/enrollment/create-enrollment-token';
import { ValidationError } from '@/lib/errors';
import { optionalWholeNumber } from '@/lib/validation';

export type EnrollmentFormField = 'description' | 'ttlHours' | 'maxUses' | 'form';

export interface EnrollmentFormState {
  errors: Partial<Record<EnrollmentFormField, string>>;
  /** The new token, present only in the response to the request that created it. */
  created?: { token: string; enrollCommand: string; installCommand: string; expiresAt: string };
}

const FIELDS = new Set<string>(['description', 'ttlHours', 'maxUses']);

const formSchema = z.object({
  description: z.string().trim().max(200, { error: 'Enter at most 200 characters.' }),
  ttlHours: optionalWholeNumber('Enter the lifetime as a whole number of hours, or leave it empty for the default.'),
  maxUses: optionalWholeNumber('Enter the number of uses as a whole number, or leave it empty for one use.'),
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
      },
    };
  } catch (error) {
    if (error instanceof ValidationError) {
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
