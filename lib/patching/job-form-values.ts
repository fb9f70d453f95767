/**
 * Types and empty values of the job fields that the New patch job form and the
 * schedule form share. This file has no server dependencies, so client
 * components import it; the conversion lives in `job-form.ts`.
 */

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

export type JobFormErrors = Partial<Record<JobFormField, string>>;

/** The job fields as the form submits them: text as typed, before parsing. */
export interface JobFormValues {
  scope: 'hosts' | 'groups' | 'filter';
  hostIds: string[];
  groupIds: string[];
  filter: {
    namePattern: string;
    osName: string;
    osVersion: string;
    hasSecurityUpdates: string;
    rebootRequired: string;
    onlineOnly: boolean;
  };
  action: string;
  packages: string;
  dryRun: boolean;
  timeoutSeconds: string;
  rebootPolicy: string;
  rebootTimeoutSeconds: string;
  maxParallel: string;
  stopAfter: string;
  stopAfterUnit: string;
  canary: string;
  canaryUnit: string;
  preCommandId: string;
  postCommandId: string;
}

/** Values of an empty job form. */
export const EMPTY_JOB_FORM: JobFormValues = {
  scope: 'hosts',
  hostIds: [],
  groupIds: [],
  filter: { namePattern: '', osName: '', osVersion: '', hasSecurityUpdates: '', rebootRequired: '', onlineOnly: false },
  action: 'security',
  packages: '',
  dryRun: false,
  timeoutSeconds: '',
  rebootPolicy: 'never',
  rebootTimeoutSeconds: '',
  maxParallel: '',
  stopAfter: '',
  stopAfterUnit: 'hosts',
  canary: '',
  canaryUnit: 'hosts',
  preCommandId: '',
  postCommandId: '',
};
