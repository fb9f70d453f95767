'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { consoleContext } from '@/lib/console-context';
import { NotFoundError, ValidationError } from '@/lib/errors';
import { createJob } from '@/lib/patching/create-job';

/** Form fields that can carry an error; `form` is for errors about no single field. */
export type JobFormField = 'hostIds' | 'action' | 'packages' | 'dryRun' | 'timeoutSeconds' | 'form';

export interface JobFormState {
  errors: Partial<Record<JobFormField, string>>;
}

const FIELDS = new Set<string>(['hostIds', 'action', 'packages', 'dryRun', 'timeoutSeconds']);

const formSchema = z
  .object({
    hostIds: z.array(z.uuid({ error: 'A chosen host id is invalid; reload the page and choose again.' })).min(1, { error: 'Choose at least one host.' }),
    action: z.enum(['refresh', 'upgrade-all', 'security', 'packages', 'dist-upgrade'], { error: 'Choose an action from the list.' }),
    packages: z.string().max(10_000, { error: 'The package list is too long (at most 10000 characters).' }),
    dryRun: z.boolean(),
    timeoutSeconds: z
      .string()
      .trim()
      .regex(/^\d*$/, { error: 'Enter the timeout as a whole number of seconds, or leave it empty for the default.' })
      .transform((value) => (value === '' ? undefined : Number(value))),
  })
  .transform(({ packages, ...rest }) => ({
    ...rest,
    // Package names contain neither spaces nor commas, so both separate names.
    packages: rest.action === 'packages' ? packages.split(/[\s,]+/).filter((name) => name !== '') : [],
  }));

/**
 * Creates a patch job from the job form and opens its page; returns field errors
 * when the form or `createJob` rejects the input.
 */
export async function createJobAction(_previous: JobFormState, formData: FormData): Promise<JobFormState> {
  const parsed = formSchema.safeParse({
    hostIds: formData.getAll('hostIds'),
    action: formData.get('action'),
    packages: formData.get('packages') ?? '',
    dryRun: formData.get('dryRun') === 'on',
    timeoutSeconds: formData.get('timeoutSeconds') ?? '',
  });
  if (!parsed.success) {
    const errors: JobFormState['errors'] = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      const key = (FIELDS.has(field) ? field : 'form') as JobFormField;
      errors[key] ??= issue.message;
    }
    return { errors };
  }

  let jobId: string;
  try {
    const ctx = await consoleContext();
    const job = await createJob(ctx, parsed.data);
    jobId = job.id;
  } catch (error) {
    // A host id outside the user's groups is NotFoundError on the hostIds field.
    if (error instanceof ValidationError || error instanceof NotFoundError) {
      // lib/ names nested fields with a path such as `packages.2` and starts its
      // messages with that path, which the form already shows by the field.
      const field = error.field?.split('.')[0] ?? '';
      const key = (FIELDS.has(field) ? field : 'form') as JobFormField;
      const message = key === 'form' ? error.message : error.message.replace(/^[\w.]+: /, '');
      return { errors: { [key]: message } };
    }
    throw error;
  }

  redirect(`/jobs/${jobId}`);
}
