import { describe, expect, it } from 'vitest';
import { jobFormFieldOf, jobFormValuesFromTemplate, jobRequestFromForm, readJobFormData } from '@/lib/patching/job-form';
import { EMPTY_JOB_FORM, type JobFormValues } from '@/lib/patching/job-form-values';
import { createJobInput } from '@/lib/patching/job-input';

const GROUP = '6f1c2a52-34d1-4b8e-9a7f-0c5d3e2b1a90';
const HOST_A = '0b7e4f0e-8d59-4c2a-b3f1-7a6e5d4c3b21';
const HOST_B = '9c3d2e1f-0a4b-4c5d-8e6f-7a8b9c0d1e2f';
const COMMAND = 'd2a1c3b4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** Builds form data as the browser submits the job fields. */
function formData(fields: [string, string][]): FormData {
  const data = new FormData();
  for (const [name, value] of fields) {
    data.append(name, value);
  }
  return data;
}

function requestOf(values: JobFormValues) {
  const converted = jobRequestFromForm(values);
  if (!('request' in converted)) {
    throw new Error(`form rejected: ${JSON.stringify(converted.errors)}`);
  }
  return converted.request;
}

describe('job form to job request', () => {
  it('sends groups, dry run and reboot policy', () => {
    const values = readJobFormData(
      formData([
        ['scope', 'groups'],
        ['hostIds', HOST_A],
        ['groupIds', GROUP],
        ['action', 'security'],
        ['dryRun', 'on'],
        ['rebootPolicy', 'if-required'],
        ['rebootTimeoutSeconds', ''],
        ['canary', '10'],
        ['canaryUnit', 'percent'],
        ['stopAfter', '2'],
        ['stopAfterUnit', 'hosts'],
      ]),
    );

    expect(requestOf(values)).toEqual({
      groupIds: [GROUP],
      action: 'security',
      packages: [],
      dryRun: true,
      rebootPolicy: 'if-required',
      stopAfterFailures: 2,
      canaryPercent: 10,
    });
  });

  it('sends only the filter conditions that are set', () => {
    const values: JobFormValues = {
      ...EMPTY_JOB_FORM,
      scope: 'filter',
      filter: { ...EMPTY_JOB_FORM.filter, namePattern: ' web-* ', hasSecurityUpdates: 'no', onlineOnly: true },
    };

    expect(requestOf(values)).toMatchObject({ filter: { namePattern: 'web-*', hasSecurityUpdates: false, onlineOnly: true } });
    expect(Object.keys(requestOf(values).filter ?? {})).toEqual(['namePattern', 'hasSecurityUpdates', 'onlineOnly']);
  });

  it('splits package names on spaces and commas', () => {
    const request = requestOf({ ...EMPTY_JOB_FORM, hostIds: [HOST_A], action: 'packages', packages: 'openssl, libssl3  curl' });

    expect(request.packages).toEqual(['openssl', 'libssl3', 'curl']);
  });

  it('drops package names of other actions', () => {
    const request = requestOf({ ...EMPTY_JOB_FORM, hostIds: [HOST_A], action: 'security', packages: 'openssl' });

    expect(request.packages).toEqual([]);
  });

  it('names the field of a malformed number', () => {
    const converted = jobRequestFromForm({ ...EMPTY_JOB_FORM, timeoutSeconds: '10m', canary: 'x' });

    expect(converted).toEqual({
      errors: {
        timeoutSeconds: 'Enter the timeout as a whole number of seconds, or leave it empty for the default.',
        canary: 'Enter the canary size as a whole number, or leave it empty for one wave.',
      },
    });
  });

  it('maps createJob fields to form fields', () => {
    expect(jobFormFieldOf('packages.2')).toBe('packages');
    expect(jobFormFieldOf('stopAfterFailurePercent')).toBe('stopAfter');
    expect(jobFormFieldOf('canarySize')).toBe('canary');
    expect(jobFormFieldOf('groupIds')).toBe('groupIds');
    expect(jobFormFieldOf('unknownField')).toBeNull();
  });
});

describe('job template to job form', () => {
  const templates: [string, Record<string, unknown>][] = [
    ['hosts', { hostIds: [HOST_A, HOST_B], action: 'security' }],
    ['groups with options', { groupIds: [GROUP], action: 'upgrade-all', dryRun: true, rebootPolicy: 'always', rebootTimeoutSeconds: 600 }],
    ['filter', { filter: { osName: 'Debian GNU/Linux', rebootRequired: 'unknown', hasSecurityUpdates: true }, action: 'dist-upgrade' }],
    ['empty filter', { filter: {}, action: 'refresh' }],
    ['packages', { hostIds: [HOST_A], action: 'packages', packages: ['openssl', 'curl'], timeoutSeconds: 1800 }],
    ['percent limits', { hostIds: [HOST_A], action: 'security', stopAfterFailurePercent: 25, canaryPercent: 0, maxParallel: 3 }],
    ['count limits', { hostIds: [HOST_A], action: 'security', stopAfterFailures: 1, canarySize: 2 }],
    ['commands', { groupIds: [GROUP], action: 'security', preCommandId: COMMAND, postCommandId: COMMAND }],
  ];

  for (const [name, template] of templates) {
    it(`round-trips ${name}`, () => {
      const values = jobFormValuesFromTemplate(template);
      expect(values).not.toBeNull();

      const request = requestOf(values!);
      expect(createJobInput.parse(request)).toEqual(createJobInput.parse(template));
    });
  }

  it('fills the group scope and options', () => {
    const values = jobFormValuesFromTemplate({ groupIds: [GROUP], action: 'security', dryRun: true, rebootPolicy: 'if-required', canaryPercent: 10 });

    expect(values).toMatchObject({ scope: 'groups', groupIds: [GROUP], dryRun: true, rebootPolicy: 'if-required', canary: '10', canaryUnit: 'percent' });
  });

  it('shows the default reboot wait as empty', () => {
    expect(jobFormValuesFromTemplate({ hostIds: [HOST_A], action: 'security', rebootTimeoutSeconds: 900 })?.rebootTimeoutSeconds).toBe('');
    expect(jobFormValuesFromTemplate({ hostIds: [HOST_A], action: 'security', rebootTimeoutSeconds: 60 })?.rebootTimeoutSeconds).toBe('60');
  });

  it('rejects a template with an unknown field', () => {
    expect(jobFormValuesFromTemplate({ hostIds: [HOST_A], action: 'security', groups: ['web servers'] })).toBeNull();
  });

  it('rejects a template createJob rejects', () => {
    expect(jobFormValuesFromTemplate({ hostIds: [], action: 'security' })).toBeNull();
    expect(jobFormValuesFromTemplate({ hostIds: [HOST_A], groupIds: [GROUP], action: 'security' })).toBeNull();
    expect(jobFormValuesFromTemplate({ hostIds: [HOST_A], action: 'reinstall' })).toBeNull();
  });
});
