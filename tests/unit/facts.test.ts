import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectHostFacts, parseOsRelease } from '@/agent/facts';

describe('parseOsRelease', () => {
  it('reads quoted and bare values', () => {
    const values = parseOsRelease(
      [
        '# comment',
        'NAME="Ubuntu"',
        "ID=ubuntu",
        "VERSION_ID='22.04'",
        'PRETTY_NAME="Quote \\"inside\\" and \\\\ backslash"',
        '',
        'not a pair',
      ].join('\n'),
    );

    expect(values.get('NAME')).toBe('Ubuntu');
    expect(values.get('ID')).toBe('ubuntu');
    expect(values.get('VERSION_ID')).toBe('22.04');
    expect(values.get('PRETTY_NAME')).toBe('Quote "inside" and \\ backslash');
    expect(values.size).toBe(4);
  });
});

describe('collectHostFacts', () => {
  let tempDir: string;

  beforeAll(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'pm-facts-'));
  });

  afterAll(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  it('matches this machine', async () => {
    const facts = await collectHostFacts({ agentVersion: '1.2.3', packageManager: 'apt' });
    const osRelease = parseOsRelease(execFileSync('cat', ['/etc/os-release'], { encoding: 'utf8' }));

    expect(facts.hostname).toBe(execFileSync('hostname', { encoding: 'utf8' }).trim());
    expect(facts.kernelRunning).toBe(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    expect(facts.architecture).toBe(execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim());
    expect(facts.osId).toBe(osRelease.get('ID'));
    expect(facts.osName).toBe(osRelease.get('NAME'));
    expect(facts.osVersion).toBe(osRelease.get('VERSION_ID') ?? '');
    expect(facts.osCodename).toBe(osRelease.get('VERSION_CODENAME') ?? '');
    expect(facts.kernelNewest).toBeNull();
    expect(facts.agentVersion).toBe('1.2.3');
    expect(facts.packageManager).toBe('apt');
  });

  it('reports uptime in whole seconds', async () => {
    const facts = await collectHostFacts({ agentVersion: '1.2.3', packageManager: 'apt' });
    const procUptime = Number(execFileSync('cat', ['/proc/uptime'], { encoding: 'utf8' }).split(' ')[0]);

    expect(Number.isInteger(facts.uptimeSeconds)).toBe(true);
    expect(Math.abs(facts.uptimeSeconds - procUptime)).toBeLessThan(5);
  });

  it('lists addresses without loopback', async () => {
    const facts = await collectHostFacts({ agentVersion: '1.2.3', packageManager: 'apt' });
    const expected = execFileSync('ip', ['-o', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /\binet6? ([^/\s]+)/.exec(line)?.[1])
      .filter((address): address is string => address !== undefined);

    expect(facts.ipAddresses).not.toContain('127.0.0.1');
    expect(facts.ipAddresses).not.toContain('::1');
    expect([...facts.ipAddresses].sort()).toEqual([...new Set(expected)].sort());
  });

  it('uses rpm architecture names for dnf', async () => {
    const facts = await collectHostFacts({ agentVersion: '1.2.3', packageManager: 'dnf' });

    expect(facts.architecture).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
  });

  it('reads a given os-release file', async () => {
    const file = path.join(tempDir, 'os-release');
    await writeFile(
      file,
      'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.4"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n',
    );

    const facts = await collectHostFacts({ agentVersion: '0.1.0', packageManager: 'dnf', osReleasePath: file });

    expect(facts.osId).toBe('rocky');
    expect(facts.osName).toBe('Rocky Linux');
    expect(facts.osVersion).toBe('9.4');
    expect(facts.osCodename).toBe('');
  });

  it('rejects a missing os-release file', async () => {
    await expect(
      collectHostFacts({
        agentVersion: '0.1.0',
        packageManager: 'apt',
        osReleasePath: path.join(tempDir, 'missing'),
      }),
    ).rejects.toThrow(/Reading the OS release file failed/);
  });
});
