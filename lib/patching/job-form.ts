/**
 * Conversion between the job fields of the console forms (the New patch job form
 * and the schedule form) and a createJob request, which is also the job template
 * a schedule stores.
 */

import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { optionalWholeNumber } from '@/lib/validation';
import { createJobInput, type CreateJobInput, type CreateJobRequest } from './job-input';
import type { JobFormErrors, JobFormField, JobFormValues } from './job-form-values';

/** createJob field names mapped to the form field that shows their error. */
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
  stopAfterUnit: 'stopAfter',
  canarySize: 'canary',
  canaryPercent: 'canary',
  canary: 'canary',
  canaryUnit: 'canary',
  preCommandId: 'preCommandId',
  postCommandId: 'postCommandId',
};

/** Returns the form field that shows an error on a createJob field path such as `packages.2`, or null for none. */
export function jobFormFieldOf(path: string): JobFormField | null {
  return FIELD_OF[path.split('.')[0] ?? ''] ?? null;
}

/** The default reboot wait of createJob, shown as an empty field. */
const DEFAULT_REBOOT_TIMEOUT_SECONDS = 900;

function optionalText() {
  return z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value));
}

const unit = z.enum(['hosts', 'percent'], { error: 'Choose hosts or % of hosts.' });

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
  timeoutSeconds: optionalWholeNumber('Enter the timeout as a whole number of seconds, or leave it empty for the default.'),
  rebootPolicy: z.enum(['never', 'if-required', 'always'], { error: 'Choose a reboot policy from the list.' }),
  rebootTimeoutSeconds: optionalWholeNumber('Enter the reboot wait as a whole number of seconds, or leave it empty for 900.'),
  maxParallel: optionalWholeNumber('Enter the number of hosts at a time as a whole number, or leave it empty for no limit.'),
  stopAfter: optionalWholeNumber('Enter the failure limit as a whole number, or leave it empty for no limit.'),
  stopAfterUnit: unit,
  canary: optionalWholeNumber('Enter the canary size as a whole number, or leave it empty for one wave.'),
  canaryUnit: unit,
  preCommandId: optionalText(),
  postCommandId: optionalText(),
});

/** Reads the job fields of a submitted form; a missing scope, reboot policy or unit takes the form's default. */
export function readJobFormData(formData: FormData): JobFormValues {
  const text = (name: string) => String(formData.get(name) ?? '');
  const strings = (name: string) => formData.getAll(name).map(String);
  return {
    scope: (text('scope') || 'hosts') as JobFormValues['scope'],
    hostIds: strings('hostIds'),
    groupIds: strings('groupIds'),
    filter: {
      namePattern: text('filterNamePattern'),
      osName: text('filterOsName'),
      osVersion: text('filterOsVersion'),
      hasSecurityUpdates: text('filterHasSecurityUpdates'),
      rebootRequired: text('filterRebootRequired'),
      onlineOnly: formData.get('filterOnlineOnly') === 'on',
    },
    action: text('action'),
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
  };
}

/** Drops the keys whose value is undefined, so the request stores only what is set. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** Builds the createJob request from the parsed form; only the chosen scope is sent. */
function toRequest(form: z.output<typeof formSchema>): CreateJobInput {
  const scope = form.scope === 'hosts' ? { hostIds: form.hostIds } : form.scope === 'groups' ? { groupIds: form.groupIds } : { filter: definedOnly(form.filter) };
  return definedOnly({
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
  }) as CreateJobInput;
}

/**
 * Converts the form's job fields into a createJob request. Returns the first
 * error of each field when a value cannot be read. Ranges and the rules between
 * fields are left to createJob, which names the field it rejects.
 */
export function jobRequestFromForm(values: JobFormValues): { request: CreateJobInput } | { errors: JobFormErrors } {
  const parsed = formSchema.safeParse(values);
  if (parsed.success) {
    return { request: toRequest(parsed.data) };
  }

  const errors: JobFormErrors = {};
  for (const issue of parsed.error.issues) {
    const key = jobFormFieldOf(String(issue.path[0] ?? '')) ?? 'form';
    errors[key] ??= issue.message;
  }
  return { errors };
}

function scopeOf(request: CreateJobRequest): JobFormValues['scope'] {
  if (request.hostIds) {
    return 'hosts';
  }
  return request.groupIds ? 'groups' : 'filter';
}

function yesNoText(value: boolean | undefined): string {
  if (value === undefined) {
    return '';
  }
  return value ? 'yes' : 'no';
}

function countText(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/**
 * Fills the job fields from a stored job template. Returns null when the fields
 * cannot show the template as it is: it fails createJob's checks, or the request
 * the filled fields would send differs from it (an unknown field, for instance).
 * The reboot wait shows as empty when it is the default of 900 seconds.
 */
export function jobFormValuesFromTemplate(template: Record<string, unknown>): JobFormValues | null {
  const parsed = createJobInput.safeParse(template);
  if (!parsed.success) {
    return null;
  }

  const request = parsed.data;
  const filter = request.filter ?? {};
  const values: JobFormValues = {
    scope: scopeOf(request),
    hostIds: request.hostIds ?? [],
    groupIds: request.groupIds ?? [],
    filter: {
      namePattern: filter.namePattern ?? '',
      osName: filter.osName ?? '',
      osVersion: filter.osVersion ?? '',
      hasSecurityUpdates: yesNoText(filter.hasSecurityUpdates),
      rebootRequired: filter.rebootRequired ?? '',
      onlineOnly: filter.onlineOnly ?? false,
    },
    action: request.action,
    packages: request.packages.join(' '),
    dryRun: request.dryRun,
    timeoutSeconds: countText(request.timeoutSeconds),
    rebootPolicy: request.rebootPolicy,
    rebootTimeoutSeconds: request.rebootTimeoutSeconds === DEFAULT_REBOOT_TIMEOUT_SECONDS ? '' : String(request.rebootTimeoutSeconds),
    maxParallel: countText(request.maxParallel),
    stopAfter: countText(request.stopAfterFailures ?? request.stopAfterFailurePercent),
    stopAfterUnit: request.stopAfterFailurePercent === undefined ? 'hosts' : 'percent',
    canary: countText(request.canarySize ?? request.canaryPercent),
    canaryUnit: request.canaryPercent === undefined ? 'hosts' : 'percent',
    preCommandId: request.preCommandId ?? '',
    postCommandId: request.postCommandId ?? '',
  };

  const converted = jobRequestFromForm(values);
  if (!('request' in converted)) {
    return null;
  }
  const reparsed = createJobInput.safeParse(converted.request);
  return reparsed.success && isDeepStrictEqual(reparsed.data, request) ? values : null;
}
