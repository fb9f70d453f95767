import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { JobHostsTable } from '@/components/job-hosts-table';
import { packageChangeCount, packageChangesHeading, packageChangesSummary } from '@/components/package-change-labels';

type JobHost = Parameters<typeof JobHostsTable>[0]['hosts'][number];

/** Builds a succeeded job host with `count` upgraded packages. The table folds lists of more than five. */
function hostWithChanges(count: number): JobHost {
  return {
    hostId: '00000000-0000-4000-8000-000000000001',
    hostname: 'web-1',
    status: 'succeeded',
    exitCode: 0,
    failureCause: null,
    failureMessage: null,
    changes: Array.from({ length: count }, (_, index) => ({ name: `pkg-${index}`, arch: 'amd64', before: '1.0', after: '2.0' })),
    rebootRequired: 'no',
    sentAt: null,
    startedAt: null,
    finishedAt: null,
    durationMs: 1000,
    wave: 0,
    rebootStartedAt: null,
    rebootedAt: null,
  };
}

describe('package change labels', () => {
  it.each([
    [false, 'Packages changed'],
    [true, 'Packages that would change'],
  ])('heading for dryRun=%s', (dryRun, expected) => {
    expect(packageChangesHeading(dryRun)).toBe(expected);
  });

  it.each([
    [7, false, '7 packages changed'],
    [7, true, '7 packages would change'],
    [1, false, '1 package changed'],
    [1, true, '1 package would change'],
  ])('summary of %i changes for dryRun=%s', (count, dryRun, expected) => {
    expect(packageChangesSummary(count, dryRun)).toBe(expected);
  });

  it.each([
    [3, false, '3'],
    [3, true, '3 would change'],
    [0, true, '0 would change'],
  ])('report count of %i for dryRun=%s', (count, dryRun, expected) => {
    expect(packageChangeCount(count, dryRun)).toBe(expected);
  });
});

describe('job hosts table', () => {
  it('says what a dry run would change', () => {
    const html = renderToStaticMarkup(createElement(JobHostsTable, { hosts: [hostWithChanges(7)], dryRun: true }));

    expect(html).toContain('Packages that would change');
    expect(html).toContain('7 packages would change');
    expect(html).not.toContain('changed');
  });

  it('says what a real run changed', () => {
    const html = renderToStaticMarkup(createElement(JobHostsTable, { hosts: [hostWithChanges(7)], dryRun: false }));

    expect(html).toContain('Packages changed');
    expect(html).toContain('7 packages changed');
    expect(html).not.toContain('would change');
  });
});
