import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandsAllowed, readBootId, rebootCommand } from '@/agent/host-control';
import { canaryCount, failureLimit } from '@/lib/patching/job-waves';
import { globToLike } from '@/lib/patching/resolve-job-scope';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-host-control-'));

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('canary size', () => {
  const cases = [
    { total: 10, options: {}, expected: 0 },
    { total: 10, options: { canaryPercent: 0 }, expected: 0 },
    { total: 10, options: { canaryPercent: 15 }, expected: 2 },
    { total: 3, options: { canaryPercent: 1 }, expected: 1 },
    { total: 4, options: { canaryPercent: 100 }, expected: 4 },
    { total: 4, options: { canarySize: 9 }, expected: 4 },
    { total: 4, options: { canarySize: 0 }, expected: 0 },
  ];

  it.each(cases)('$total hosts with $options gives $expected', ({ total, options, expected }) => {
    expect(canaryCount(total, options)).toBe(expected);
  });
});

describe('failure limit', () => {
  it('is null without a limit', () => {
    expect(failureLimit(10, { failureLimitCount: null, failureLimitPercent: null })).toBeNull();
  });

  it('takes a count as given', () => {
    expect(failureLimit(10, { failureLimitCount: 3, failureLimitPercent: null })).toBe(3);
  });

  it('rounds a percentage up', () => {
    expect(failureLimit(15, { failureLimitCount: null, failureLimitPercent: 10 })).toBe(2);
    expect(failureLimit(20, { failureLimitCount: null, failureLimitPercent: 10 })).toBe(2);
    expect(failureLimit(3, { failureLimitCount: null, failureLimitPercent: 1 })).toBe(1);
  });
});

describe('hostname glob', () => {
  it('maps * and ? to LIKE wildcards', () => {
    expect(globToLike('web-*.example?')).toBe('web-%.example_');
  });

  it('escapes LIKE wildcards and backslash', () => {
    expect(globToLike('a%b_c\\d')).toBe('a\\%b\\_c\\\\d');
  });
});

describe('agent host control', () => {
  it('reboot command defaults to systemctl reboot', () => {
    expect(rebootCommand({})).toEqual(['systemctl', 'reboot']);
    expect(rebootCommand({ PM_AGENT_REBOOT_COMMAND: '   ' })).toEqual(['systemctl', 'reboot']);
  });

  it('reboot command splits the override at whitespace', () => {
    expect(rebootCommand({ PM_AGENT_REBOOT_COMMAND: ' /sbin/shutdown  -r now ' })).toEqual(['/sbin/shutdown', '-r', 'now']);
  });

  it('boot id comes from the configured file', () => {
    const file = path.join(scratch, 'boot_id');
    fs.writeFileSync(file, 'b3a1c7e2-0000-4000-8000-000000000001\n');

    expect(readBootId({ PM_AGENT_BOOT_ID_FILE: file })).toBe('b3a1c7e2-0000-4000-8000-000000000001');
  });

  it('boot id is null for a missing or malformed file', () => {
    const file = path.join(scratch, 'bad_boot_id');
    fs.writeFileSync(file, 'not a boot id\n');

    expect(readBootId({ PM_AGENT_BOOT_ID_FILE: path.join(scratch, 'missing') })).toBeNull();
    expect(readBootId({ PM_AGENT_BOOT_ID_FILE: file })).toBeNull();
  });

  it('commands need an explicit opt-in', () => {
    expect(commandsAllowed({}, {})).toBe(false);
    expect(commandsAllowed({ PM_AGENT_ALLOW_COMMANDS: 'yes' }, {})).toBe(false);
    expect(commandsAllowed({ PM_AGENT_ALLOW_COMMANDS: '1' }, {})).toBe(true);
    expect(commandsAllowed({}, { allowCommands: true })).toBe(true);
  });
});
