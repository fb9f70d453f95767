import { z } from 'zod';
import { REBOOT_POLICIES } from '@/lib/agent-protocol/schema';

/**
 * Package names as apt, dnf, zypper and pacman accept them. A leading `-` could
 * pass as an option, and apt-get reads a trailing `-` as "remove", so names must
 * start with a letter or digit and must not end with `-`.
 */
export const PACKAGE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9+._@:-]{0,198}[A-Za-z0-9+._])?$/;

export const JOB_ACTIONS = ['refresh', 'upgrade-all', 'security', 'packages', 'dist-upgrade'] as const;

const MAX_JOB_HOSTS = 10_000;

/** Whole number in a range, with messages that name the field. */
function wholeNumber(field: string, min: number, max: number, unit = '') {
  const suffix = unit ? ` ${unit}` : '';
  return z
    .number({ error: `${field}: expected a number${suffix}` })
    .int({ error: `${field}: expected a whole number${suffix}` })
    .min(min, { error: `${field}: expected at least ${min}` })
    .max(max, { error: `${field}: expected at most ${max}` });
}

function idList(field: string, what: string) {
  return z
    .array(z.uuid({ error: `${field}: each entry must be a ${what} id (UUID)` }), { error: `${field}: expected a list of ${what} ids` })
    .min(1, { error: `${field}: choose at least one ${what}` })
    .max(MAX_JOB_HOSTS, { error: `${field}: at most ${MAX_JOB_HOSTS} entries per job` });
}

/**
 * Host filter resolved to a fixed host list when the job is created. Every given
 * condition must hold. `namePattern` is a hostname glob where `*` matches any run of
 * characters and `?` one character, compared without regard to case.
 */
export const hostFilterSchema = z
  .object({
    osName: z.string({ error: 'filter.osName: expected text' }).trim().min(1, { error: 'filter.osName: must not be empty' }).max(128).optional(),
    osVersion: z.string({ error: 'filter.osVersion: expected text' }).trim().min(1, { error: 'filter.osVersion: must not be empty' }).max(64).optional(),
    hasSecurityUpdates: z.boolean({ error: 'filter.hasSecurityUpdates: expected true or false' }).optional(),
    rebootRequired: z.enum(['yes', 'no', 'unknown'], { error: 'filter.rebootRequired: expected yes, no or unknown' }).optional(),
    namePattern: z
      .string({ error: 'filter.namePattern: expected text' })
      .trim()
      .min(1, { error: 'filter.namePattern: must not be empty' })
      .max(253, { error: 'filter.namePattern: at most 253 characters' })
      .optional(),
    onlineOnly: z.boolean({ error: 'filter.onlineOnly: expected true or false' }).optional(),
  })
  .strict();

export type HostFilter = z.infer<typeof hostFilterSchema>;

/**
 * A job request as the REST API and the job form send it. Exactly one of `hostIds`,
 * `groupIds` and `filter` chooses the hosts. A failure limit and a canary size may
 * each be a count or a percentage, not both.
 */
export const createJobInput = z
  .object({
    hostIds: idList('hostIds', 'host').optional(),
    groupIds: idList('groupIds', 'group').optional(),
    filter: hostFilterSchema.optional(),
    action: z.enum(JOB_ACTIONS, {
      error: `action: expected one of ${JOB_ACTIONS.join(', ')}`,
    }),
    packages: z
      .array(
        z.string().regex(PACKAGE_NAME, {
          error: 'packages: each name must start with a letter or digit, must not end with -, and may use only letters, digits and + . _ @ : -',
        }),
      )
      .max(1000, { error: 'packages: at most 1000 names' })
      .default([]),
    dryRun: z.boolean({ error: 'dryRun: expected true or false' }).default(false),
    timeoutSeconds: wholeNumber('timeoutSeconds', 30, 86_400, 'of seconds').optional(),
    rebootPolicy: z.enum(REBOOT_POLICIES, { error: `rebootPolicy: expected one of ${REBOOT_POLICIES.join(', ')}` }).default('never'),
    rebootTimeoutSeconds: wholeNumber('rebootTimeoutSeconds', 10, 86_400, 'of seconds').default(900),
    maxParallel: wholeNumber('maxParallel', 1, MAX_JOB_HOSTS).optional(),
    stopAfterFailures: wholeNumber('stopAfterFailures', 1, MAX_JOB_HOSTS).optional(),
    stopAfterFailurePercent: wholeNumber('stopAfterFailurePercent', 1, 100, 'percent').optional(),
    canarySize: wholeNumber('canarySize', 0, MAX_JOB_HOSTS).optional(),
    canaryPercent: wholeNumber('canaryPercent', 0, 100, 'percent').optional(),
    preCommandId: z.uuid({ error: 'preCommandId: expected an approved command id (UUID)' }).optional(),
    postCommandId: z.uuid({ error: 'postCommandId: expected an approved command id (UUID)' }).optional(),
  })
  .strict()
  .superRefine((value, refine) => {
    const scopes = [value.hostIds, value.groupIds, value.filter].filter((scope) => scope !== undefined).length;
    if (scopes !== 1) {
      refine.addIssue({ code: 'custom', path: ['hostIds'], message: 'hostIds: choose the hosts with exactly one of hostIds, groupIds or filter' });
    }
    if (value.action === 'packages' && value.packages.length === 0) {
      refine.addIssue({ code: 'custom', path: ['packages'], message: 'packages: name at least one package for the packages action' });
    }
    if (value.action !== 'packages' && value.packages.length > 0) {
      refine.addIssue({ code: 'custom', path: ['packages'], message: 'packages: only the packages action takes package names' });
    }
    if (value.stopAfterFailures !== undefined && value.stopAfterFailurePercent !== undefined) {
      refine.addIssue({ code: 'custom', path: ['stopAfterFailurePercent'], message: 'stopAfterFailurePercent: give either stopAfterFailures or stopAfterFailurePercent, not both' });
    }
    if (value.canarySize !== undefined && value.canaryPercent !== undefined) {
      refine.addIssue({ code: 'custom', path: ['canaryPercent'], message: 'canaryPercent: give either canarySize or canaryPercent, not both' });
    }
  });

export type CreateJobInput = z.input<typeof createJobInput>;
export type CreateJobRequest = z.output<typeof createJobInput>;
