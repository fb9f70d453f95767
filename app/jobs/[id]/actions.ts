'use server';

import { revalidatePath } from 'next/cache';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { cancelJob } from '@/lib/patching/cancel-job';

export interface CancelJobState {
  error?: string;
}

/** Cancels the job named by the form's `jobId`; returns the safe message when lib/ rejects it. */
export async function cancelJobAction(_previous: CancelJobState, formData: FormData): Promise<CancelJobState> {
  const jobId = String(formData.get('jobId') ?? '');
  try {
    await cancelJob(await consoleContext(), { jobId });
  } catch (error) {
    if (error instanceof AppError && error.code !== 'unauthorized') {
      return { error: error.message };
    }
    throw error;
  }
  revalidatePath(`/jobs/${jobId}`);
  return {};
}
