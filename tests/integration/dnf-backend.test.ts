import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnfBackend, type DnfBackend } from '@/agent/package-managers/dnf/backend';
import type { InstalledPackage, PatchOutcome, PatchRequest } from '@/agent/package-managers/types';
import { createRpmTestRoot, SECURITY_ADVISORY, TEST_RUNNING_KERNEL, type RpmTestRoot } from '@/tests/helpers/rpm-repo';

const MACHINE_STATUS_FILE = '/var/lib/dpkg/status';
const canRun = process.getuid?.() === 0 && ['/usr/bin/dnf', '/usr/bin/rpmbuild', '/usr/bin/createrepo_c'].every((file) => fs.existsSync(file));

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

function versions(packages: InstalledPackage[]): Record<string, string> {
  return Object.fromEntries(packages.filter((item) => item.name.startsWith('pm-test-')).map((item) => [item.name, item.version]));
}

describe.skipIf(!canRun)('dnf backend on an isolated root', () => {
  let testRoot: RpmTestRoot;
  let backend: DnfBackend;
  let machineStatusBefore: string;
  const signal = new AbortController().signal;

  const apply = async (fields: Partial<PatchRequest> & Pick<PatchRequest, 'action'>): Promise<{ outcome: PatchOutcome; lines: string[] }> => {
    const lines: string[] = [];
    const request: PatchRequest = { packages: [], dryRun: false, timeoutSeconds: 300, ...fields };
    const outcome = await backend.apply(request, (_stream, line) => lines.push(line), signal);
    return { outcome, lines };
  };

  beforeAll(async () => {
    machineStatusBefore = await sha256(MACHINE_STATUS_FILE);
    testRoot = await createRpmTestRoot();
    backend = createDnfBackend({ installRoot: testRoot.root, runningKernel: TEST_RUNNING_KERNEL });
    await backend.refreshLists();
  });

  afterAll(async () => {
    await testRoot?.cleanup();
    if (machineStatusBefore !== undefined) expect(await sha256(MACHINE_STATUS_FILE)).toBe(machineStatusBefore);
  });

  it('lists the installed packages', async () => {
    const installed = await backend.listInstalled();
    expect(versions(installed)).toEqual({ 'pm-test-hello': '1.0-1', 'pm-test-tools': '1.0-1', 'pm-test-stable': '1.0-1' });
    expect(installed.filter((item) => item.name === 'kernel-core').map((item) => item.version).sort()).toEqual(['5.14.0-503.pm', '5.14.0-70.pm']);
    expect(installed.find((item) => item.name === 'pm-test-hello')?.source).toBe('pm-test-hello');
  });

  it('marks the advisory update as security', async () => {
    const pending = await backend.listPendingUpdates();
    const hello = pending.find((update) => update.name === 'pm-test-hello');
    const tools = pending.find((update) => update.name === 'pm-test-tools');

    expect(pending.map((update) => update.name).sort()).toEqual(['pm-test-hello', 'pm-test-tools']);
    expect(hello).toMatchObject({ arch: 'noarch', installed: '1.0-1', candidate: '2.0-1', repository: 'pmtest', security: true, advisories: [SECURITY_ADVISORY] });
    expect(tools).toMatchObject({ installed: '1.0-1', candidate: '1.1-1', security: false, advisories: [] });
  });

  it('reports a reboot for a newer kernel', async () => {
    const state = await backend.rebootState();
    expect(state.required).toBe('yes');
    expect(state.packages).toEqual(['kernel-core-5.14.0-503.pm.noarch']);
    expect(state.reason).toContain(TEST_RUNNING_KERNEL);
  });

  it('dry run leaves the root unchanged', async () => {
    const before = await backend.listInstalled();
    const { outcome } = await apply({ action: 'upgrade-all', dryRun: true });

    expect(outcome.status, JSON.stringify(outcome.failure)).toBe('succeeded');
    expect(outcome.changes).toEqual([
      { name: 'pm-test-hello', arch: 'noarch', before: '1.0-1', after: '2.0-1' },
      { name: 'pm-test-tools', arch: 'noarch', before: '1.0-1', after: '1.1-1' },
    ]);
    expect(await backend.listInstalled()).toEqual(before);
  });

  it('security run upgrades only the advisory package', async () => {
    const { outcome, lines } = await apply({ action: 'security' });

    expect(outcome.status, lines.join('\n')).toBe('succeeded');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.changes).toEqual([{ name: 'pm-test-hello', arch: 'noarch', before: '1.0-1', after: '2.0-1' }]);
    expect(versions(await backend.listInstalled())['pm-test-tools']).toBe('1.0-1');
    expect(outcome.reboot.required).toBe('yes');
  });

  it('upgrade-all upgrades the rest', async () => {
    const { outcome, lines } = await apply({ action: 'upgrade-all' });

    expect(outcome.status, lines.join('\n')).toBe('succeeded');
    expect(outcome.changes).toEqual([{ name: 'pm-test-tools', arch: 'noarch', before: '1.0-1', after: '1.1-1' }]);
    expect(await backend.listPendingUpdates()).toEqual([]);
  });

  it('rejects an option as a package name', async () => {
    const { outcome } = await apply({ action: 'packages', packages: ['--setopt=tsflags=noscripts'] });

    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBeNull();
    expect(outcome.failure?.message).toContain('Invalid package name');
  });

  it('reports a package that does not exist', async () => {
    const { outcome } = await apply({ action: 'packages', packages: ['pm-test-missing'] });

    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.changes).toEqual([]);
  });
});
