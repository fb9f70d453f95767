'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { createJob } from '@/lib/patching/create-job';

/** Form fields that can carry an error; `form` is for errors about no single field. */
export type JobFormField =
  | 'hostIds'
  | 'groupIds'
  | 'filter'
  | 'action'
  | 'packages'
  | 'dryRun'
  | 'timeoutSeconds'
  | 'rebootPolicy'
  | 'rebootTimeoutSeconds'
  | 'maxParallel'
  | 'stopAfter'
  | 'canary'
  | 'preCommandId'
  | 'postCommandId'
  | 'form';

export interface JobFormState {
  errors: Partial<Record<JobFormField, string>>;
}

/** lib/ field names mapped to the form field that shows their error. */
const FIELD_OF: Record<string, JobFormField> = {
  hostIds: 'hostIds',
  groupIds: 'groupIds',
  filter: 'filter',
  action: 'action',
  packages: 'packages',
  dryRun: 'dryRun',
  timeoutSeconds: 'timeoutSeconds',
  rebootPolicy: 'rebootPolicy',
  rebootTimeoutSeconds: 'rebootTimeoutSeconds',
  maxParallel: 'maxParallel',
  stopAfterFailures: 'stopAfter',
  stopAfterFailurePercent: 'stopAfter',
  stopAfter: 'stopAfter',
  canarySize: 'canary',
  canaryPercent: 'canary',
  canary: 'canary',
  preCommandId: 'preCommandId',
  postCommandId: 'postCommandId',
};

/** Parses an optional whole number typed into a text box; empty means "not set". */
function optionalCount(message: string) {
  return z
    .string()
    .trim()
    .regex(/^\d*$/, { error: message })
    .transform((value) => (value === '' ? undefined : Number(value)));
}

function optionalText() {
  return z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value));
}

const formSchema = z.object({
  scope: z.enum(['hosts', 'groups', 'filter'], { error: 'Choose how to pick the hosts.' }),
  hostIds: z.array(z.uuid({ error: 'A chosen host id is invalid; reload the page and choose again.' })),
  groupIds: z.array(z.uuid({ error: 'A chosen group id is invalid; reload the page and choose again.' })),
  filter: z.object({
    osName: optionalText(),
    osVersion: optionalText(),
    namePattern: optionalText(),
    hasSecurityUpdates: z.enum(['', 'yes', 'no']).transform((value) => (value === '' ? undefined : value === 'yes')),
    rebootRequired: z.enum(['', 'yes', 'no', 'unknown']).transform((value) => (value === '' ? undefined : value)),
    onlineOnly: z.boolean().transform((value) => value || undefined),
  }),
  action: z.enum(['refresh', 'upgrade-all', 'security', 'packages', 'dist-upgrade'], { error: 'Choose an action from the list.' }),
  packages: z.string().max(10_000, { error: 'The package list is too long (at most 10000 characters).' }),
  dryRun: z.boolean(),
  timeoutSeconds: optionalCount('Enter the timeout as a whole number of seconds, or leave it empty for the default.'),
  rebootPolicy: z.enum(['never', 'if-required', 'always'], { error: 'Choose a reboot policy from the list.' }),
  rebootTimeoutSeconds: optionalCount('Enter the reboot wait as a whole number of seconds, or leave it empty for 900.'),
  maxParallel: optionalCount('Enter the number of hosts at a time as a whole number, or leave it empty for no limit.'),
  stopAfter: optionalCount('Enter the failure limit as a whole number, or leave it empty for no limit.'),
  stopAfterUnit: z.enum(['hosts', 'percent']),
  canary: optionalCount('Enter the canary size as a whole number, or leave it empty for one wave.'),
  canaryUnit: z.enum(['hosts', 'percent']),
  preCommandId: optionalText(),
  postCommandId: optionalText(),
});

/** Builds the createJob request from the parsed form; only the chosen scope is sent. */
function toRequest(form: z.output<typeof formSchema>) {
  const filter = Object.fromEntries(Object.entries(form.filter).filter(([, value]) => value !== undefined));
  const scope = form.scope === 'hosts' ? { hostIds: form.hostIds } : form.scope === 'groups' ? { groupIds: form.groupIds } : { filter };
  return {
    ...scope,
    action: form.action,
    // Package names contain neither spaces nor commas, so both separate names.
    packages: form.action === 'packages' ? form.packages.split(/[\s,]+/).filter((name) => name !== '') : [],
    dryRun: form.dryRun,
    timeoutSeconds: form.timeoutSeconds,
    rebootPolicy: form.rebootPolicy,
    rebootTimeoutSeconds: form.rebootTimeoutSeconds,
    maxParallel: form.maxParallel,
    ...(form.stopAfterUnit === 'hosts' ? { stopAfterFailures: form.stopAfter } : { stopAfterFailurePercent: form.stopAfter }),
    ...(form.canaryUnit === 'hosts' ? { canarySize: form.canary } : { canaryPercent: form.canary }),
    preCommandId: form.preCommandId,
    postCommandId: form.postCommandId,
  };
}

/**
 * Creates a patch job from the job form and opens its page; returns field errors
 * when the form or `createJob` rejects the input.
 */
export async function createJobAction(_previous: JobFormState, formData: FormData): Promise<JobFormState> {
  const text = (name: string) => String(formData.get(name) ?? '');
  const parsed = formSchema.safeParse({
    scope: text('scope') || 'hosts',
    hostIds: formData.getAll('hostIds'),
    groupIds: formData.getAll('groupIds'),
    filter: {
      osName: text('filterOsName'),
      osVersion: text('filterOsVersion'),
      namePattern: text('filterNamePattern'),
      hasSecurityUpdates: text('filterHasSecurityUpdates'),
      rebootRequired: text('filterRebootRequired'),
      onlineOnly: formData.get('filterOnlineOnly') === 'on',
    },
    action: formData.get('action'),
    packages: text('packages'),
    dryRun: formData.get('dryRun') === 'on',
    timeoutSeconds: text('timeoutSeconds'),
    rebootPolicy: text('rebootPolicy') || 'never',
    rebootTimeoutSeconds: text('rebootTimeoutSeconds'),
    maxParallel: text('maxParallel'),
    stopAfter: text('stopAfter'),
    stopAfterUnit: text('stopAfterUnit') || 'hosts',
    canary: text('canary'),
    canaryUnit: text('canaryUnit') || 'hosts',
    preCommandId: text('preCommandId'),
    postCommandId: text('postCommandId'),
  });
  if (!parsed.success) {
    const errors: JobFormState['errors'] = {};
    for (const issue of parsed.error.issues) {
      const key = FIELD_OF[String(issue.path[0] ?? '')] ?? 'form';
      errors[key] ??= issue.message;
    }
    return { errors };
  }

  let jobId: string;
  try {
    const ctx = await consoleContext();
    const job = await createJob(ctx, toRequest(parsed.data));
    jobId = job.id;
  } catch (error) {
    if (error instanceof AppError && (error.code === 'invalid_input' || error.code === 'not_found')) {
      // lib/ names nested fields with a path such as `packages.2` and starts its
      // messages with that path, which the form already shows by the field.
      const key = FIELD_OF[error.field?.split('.')[0] ?? ''] ?? 'form';
      const message = key === 'form' ? error.message : error.message.replace(/^[\w.]+: /, '');
      return { errors: { [key]: message } };
    }
    throw error;
  }

  redirect(`/jobs/${jobId}`);
}
