'use server';

import { redirect } from 'next/navigation';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { createJob } from '@/lib/patching/create-job';
import { jobFormFieldOf, jobRequestFromForm, readJobFormData } from '@/lib/patching/job-form';
import type { JobFormErrors } from '@/lib/patching/job-form-values';

export type { JobFormField } from '@/lib/patching/job-form-values';

export interface JobFormState {
  errors: JobFormErrors;
}

/**
 * Creates a patch job from the job form and opens its page; returns field errors
 * when the form or `createJob` rejects the input.
 */
export async function createJobAction(_previous: JobFormState, formData: FormData): Promise<JobFormState> {
  const converted = jobRequestFromForm(readJobFormData(formData));
  if ('errors' in converted) {
    return { errors: converted.errors };
  }

  let jobId: string;
  try {
    const ctx = await consoleContext();
    const job = await createJob(ctx, converted.request);
    jobId = job.id;
  } catch (error) {
    if (error instanceof AppError && (error.code === 'invalid_input' || error.code === 'not_found')) {
      // lib/ names nested fields with a path such as `packages.2` and starts its
      // messages with that path, which the form already shows by the field.
      const key = jobFormFieldOf(error.field ?? '') ?? 'form';
      const message = key === 'form' ? error.message : error.message.replace(/^[\w.]+: /, '');
      return { errors: { [key]: message } };
    }
    throw error;
  }

  redirect(`/jobs/${jobId}`);
}
