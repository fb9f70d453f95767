import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPacmanBackend, type PacmanBackend } from '@/agent/package-managers/pacman/backend';
import type { InstalledPackage, PatchOutcome, PatchRequest } from '@/agent/package-managers/types';
import { createPacmanTestRoot, PACMAN_REPOSITORY, TEST_PACMAN_RUNNING_KERNEL, type PacmanTestRoot } from '@/tests/helpers/pacman-repo';

const MACHINE_STATUS_FILE = '/var/lib/dpkg/status';
const canRun = process.getuid?.() === 0 && ['/usr/bin/pacman', '/usr/bin/repo-add', '/usr/bin/bsdtar', '/usr/bin/zstd'].every((file) => fs.existsSync(file));

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

function versions(packages: InstalledPackage[]): Record<string, string> {
  return Object.fromEntries(packages.map((item) => [item.name, item.version]));
}

describe.skipIf(!canRun)('pacman backend on an isolated root', () => {
  let testRoot: PacmanTestRoot;
  let backend: PacmanBackend;
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
    testRoot = await createPacmanTestRoot();
    backend = createPacmanBackend({ root: testRoot.root, runningKernel: TEST_PACMAN_RUNNING_KERNEL });
    await backend.refreshLists();
  });

  afterAll(async () => {
    await testRoot?.cleanup();
    if (machineStatusBefore !== undefined) expect(await sha256(MACHINE_STATUS_FILE)).toBe(machineStatusBefore);
  });

  it('lists the installed packages', async () => {
    expect(versions(await backend.listInstalled())).toEqual({
      linux: '6.12.10.arch1-1',
      'pm-test-hello': '1.0-1',
      'pm-test-stable': '1.0-1',
      'pm-test-tools': '1.0-1',
    });
  });

  it('lists updates without security marks', async () => {
    const pending = await backend.listPendingUpdates();

    expect(pending).toEqual([
      { name: 'pm-test-hello', arch: '', installed: '1.0-1', candidate: '2.0-1', repository: PACMAN_REPOSITORY, security: false, held: false, phased: false, advisories: [] },
      { name: 'pm-test-tools', arch: '', installed: '1.0-1', candidate: '1.1-1', repository: PACMAN_REPOSITORY, security: false, held: false, phased: false, advisories: [] },
    ]);
  });

  it('reports a reboot for a newer kernel', async () => {
    const state = await backend.rebootState();
    expect(state.required).toBe('yes');
    expect(state.packages).toEqual(['linux-6.12.10.arch1-1']);
  });

  it('rejects a security-only run', async () => {
    const { outcome } = await apply({ action: 'security' });

    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.message).toContain('no security classification');
    expect(outcome.changes).toEqual([]);
  });

  it('dry run leaves the root unchanged', async () => {
    const before = await backend.listInstalled();
    const { outcome, lines } = await apply({ action: 'upgrade-all', dryRun: true });

    expect(outcome.status, lines.join('\n')).toBe('succeeded');
    expect(outcome.changes).toEqual([
      { name: 'pm-test-hello', arch: '', before: '1.0-1', after: '2.0-1' },
      { name: 'pm-test-tools', arch: '', before: '1.0-1', after: '1.1-1' },
    ]);
    expect(await backend.listInstalled()).toEqual(before);
  });

  it('upgrades one named package', async () => {
    const { outcome, lines } = await apply({ action: 'packages', packages: ['pm-test-hello'] });

    expect(outcome.status, lines.join('\n')).toBe('succeeded');
    expect(outcome.changes).toEqual([{ name: 'pm-test-hello', arch: '', before: '1.0-1', after: '2.0-1' }]);
  });

  it('full upgrade installs the rest', async () => {
    const { outcome, lines } = await apply({ action: 'upgrade-all' });

    expect(outcome.status, lines.join('\n')).toBe('succeeded');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.changes).toEqual([{ name: 'pm-test-tools', arch: '', before: '1.0-1', after: '1.1-1' }]);
    expect(await backend.listPendingUpdates()).toEqual([]);
  });

  it('reports a package that does not exist', async () => {
    const { outcome } = await apply({ action: 'packages', packages: ['pm-test-missing'] });

    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.failure?.message).toContain('target not found');
  });
});
