import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@/agent/exec';
import { createAptBackend, type AptBackend } from '@/agent/package-managers/apt/backend';
import type { InstalledPackage, PatchOutcome, PatchRequest } from '@/agent/package-managers/types';
import { createAptTestRoot, type AptTestRoot } from '@/tests/helpers/apt-repo';

const MACHINE_STATUS_FILE = '/var/lib/dpkg/status';
const isRoot = process.getuid?.() === 0;

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

function versions(packages: InstalledPackage[]): Record<string, string> {
  return Object.fromEntries(packages.map((item) => [item.name, item.version]));
}

/** Holds an fcntl lock on `lockPath` from a separate process, as apt and dpkg take it. */
async function holdLock(lockPath: string): Promise<{ pid: number; release(): Promise<void> }> {
  const script = [
    'import fcntl, os, sys, time',
    'f = open(sys.argv[1], "a")',
    'fcntl.lockf(f, fcntl.LOCK_EX)',
    'print(os.getpid(), flush=True)',
    'time.sleep(120)',
  ].join('\n');
  const child: ChildProcessWithoutNullStreams = spawn('python3', ['-c', script, lockPath]);

  const pid = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });

  return {
    pid,
    release: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe.skipIf(!isRoot)('apt backend on an isolated root', () => {
  let testRoot: AptTestRoot;
  let backend: AptBackend;
  let machineStatusBefore: string;
  const signal = new AbortController().signal;

  const request = (fields: Partial<PatchRequest> & Pick<PatchRequest, 'action'>): PatchRequest => ({
    packages: [],
    dryRun: false,
    timeoutSeconds: 120,
    ...fields,
  });

  const apply = async (fields: Partial<PatchRequest> & Pick<PatchRequest, 'action'>, target = backend) => {
    const lines: string[] = [];
    const outcome: PatchOutcome = await target.apply(request(fields), (_stream, line) => lines.push(line), signal);
    return { outcome, lines };
  };

  const aptMark = async (...args: string[]): Promise<string> => {
    const result = await runCommand({ command: 'apt-mark', args, env: testRoot.env, timeoutMs: 30_000 });
    expect(result.exitCode, result.stderr).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    machineStatusBefore = await sha256(MACHINE_STATUS_FILE);
    testRoot = await createAptTestRoot();
    backend = createAptBackend({
      aptConfig: testRoot.aptConfigPath,
      rebootRequiredPath: path.join(testRoot.root, 'run/reboot-required'),
      lockTimeoutSeconds: 1,
      runningKernel: '6.1.0-2-pmtest',
    });
    await aptMark('hold', 'pm-test-held');
  });

  afterAll(async () => {
    await testRoot?.cleanup();
  });

  it('lists the preinstalled packages', async () => {
    const installed = await backend.listInstalled();

    expect(versions(installed)).toEqual({
      'linux-image-6.1.0-1-pmtest': '6.1.0-1',
      'linux-image-6.1.0-2-pmtest': '6.1.0-2',
      'pm-test-held': '1.0-1',
      'pm-test-hello': '1.0-1',
      'pm-test-sec': '1.0-1',
      'pm-test-stable': '1.0-1',
    });
    expect(installed.find((item) => item.name === 'pm-test-hello')?.arch).toBe(testRoot.nativeArch);
    expect(installed.find((item) => item.name === 'pm-test-sec')?.arch).toBe('all');
    expect(installed.find((item) => item.name === 'pm-test-held')?.held).toBe(true);
    expect(installed.find((item) => item.name === 'pm-test-hello')?.held).toBe(false);
  });

  it('lists each pending update once', async () => {
    const pending = await backend.listPendingUpdates();
    const byName = new Map(pending.map((update) => [update.name, update]));

    expect(pending.map((update) => update.name).sort()).toEqual(['pm-test-held', 'pm-test-hello', 'pm-test-sec']);
    expect(byName.get('pm-test-hello')).toMatchObject({ installed: '1.0-1', candidate: '2.0-1', repository: 'pmtest' });
    expect(byName.get('pm-test-sec')).toMatchObject({ installed: '1.0-1', candidate: '1.0-2', repository: 'pmtest-security' });
    expect(byName.get('pm-test-held')).toMatchObject({ installed: '1.0-1', candidate: '1.1-1', held: true });
    expect(pending.filter((update) => update.security).map((update) => update.name)).toEqual(['pm-test-sec']);
    expect(pending.filter((update) => update.held).map((update) => update.name)).toEqual(['pm-test-held']);
    expect(pending.some((update) => update.phased)).toBe(false);
  });

  it('dry run changes nothing', async () => {
    const statusBefore = await sha256(path.join(testRoot.dpkgAdmindir, 'status'));

    const { outcome, lines } = await apply({ action: 'upgrade-all', dryRun: true });

    expect(outcome.status).toBe('succeeded');
    expect(outcome.changes).toEqual([
      { name: 'pm-test-hello', arch: testRoot.nativeArch, before: '1.0-1', after: '2.0-1' },
      { name: 'pm-test-sec', arch: 'all', before: '1.0-1', after: '1.0-2' },
    ]);
    expect(lines[0]).toMatch(/^\$ apt-get .* -s upgrade --with-new-pkgs$/);
    expect(await sha256(path.join(testRoot.dpkgAdmindir, 'status'))).toBe(statusBefore);
  });

  it('dry run of refresh runs nothing', async () => {
    const { outcome, lines } = await apply({ action: 'refresh', dryRun: true });

    expect(outcome.status).toBe('succeeded');
    expect(lines.some((line) => line.startsWith('$ '))).toBe(false);
  });

  it('rejects invalid package names', async () => {
    const { outcome, lines } = await apply({ action: 'packages', packages: ['pm-test-hello', '-oAPT::Foo=1', 'Bad_Name'] });

    expect(outcome.status).toBe('failed');
    expect(outcome.exitCode).toBeNull();
    expect(outcome.failure?.message).toContain('"-oAPT::Foo=1", "Bad_Name"');
    expect(lines).toEqual([]);
  });

  it('names packages that are not installed', async () => {
    const { outcome, lines } = await apply({ action: 'packages', packages: ['pm-test-hello', 'pm-test-absent'] });

    expect(outcome.status).toBe('failed');
    expect(outcome.failure?.cause).toBe('package-not-installed');
    expect(outcome.failure?.packages).toEqual(['pm-test-absent']);
    expect(outcome.failure?.retriable).toBe(false);
    expect(lines.some((line) => line.includes('Not installed on this host: pm-test-absent'))).toBe(true);
  });

  it('reports a held dpkg lock', async () => {
    const lockPath = path.join(testRoot.dpkgAdmindir, 'lock-frontend');
    const holder = await holdLock(lockPath);
    try {
      const { outcome } = await apply({ action: 'upgrade-all' });

      expect(outcome.status).toBe('failed');
      expect(outcome.failure?.cause).toBe('lock-held');
      expect(outcome.failure?.lock).toBe(lockPath);
      expect(outcome.failure?.holderPid).toBe(holder.pid);
      expect(outcome.failure?.retriable).toBe(true);
      expect(outcome.changes).toEqual([]);
    } finally {
      await holder.release();
    }
  });

  it('stops a run at its timeout', async () => {
    const waiting = createAptBackend({ aptConfig: testRoot.aptConfigPath, lockTimeoutSeconds: 60 });
    const holder = await holdLock(path.join(testRoot.dpkgAdmindir, 'lock-frontend'));
    try {
      const { outcome } = await apply({ action: 'upgrade-all', timeoutSeconds: 2 }, waiting);

      expect(outcome.status).toBe('failed');
      expect(outcome.failure?.cause).toBe('timeout');
      expect(outcome.durationMs).toBeLessThan(15_000);
      expect(outcome.changes).toEqual([]);
    } finally {
      await holder.release();
    }
  });

  it('stops a run on cancel', async () => {
    const waiting = createAptBackend({ aptConfig: testRoot.aptConfigPath, lockTimeoutSeconds: 60 });
    const holder = await holdLock(path.join(testRoot.dpkgAdmindir, 'lock-frontend'));
    const controller = new AbortController();
    try {
      const running = waiting.apply(request({ action: 'upgrade-all' }), () => {}, controller.signal);
      setTimeout(() => controller.abort(), 1_500);
      const outcome = await running;

      expect(outcome.status).toBe('failed');
      expect(outcome.failure?.cause).toBe('cancelled');
      expect(outcome.durationMs).toBeLessThan(15_000);
    } finally {
      await holder.release();
    }
  });

  it('security action upgrades only security updates', async () => {
    await aptMark('auto', 'pm-test-sec');

    const { outcome, lines } = await apply({ action: 'security' });

    expect(outcome.failure).toBeNull();
    expect(outcome.status).toBe('succeeded');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.changes).toEqual([{ name: 'pm-test-sec', arch: 'all', before: '1.0-1', after: '1.0-2' }]);
    expect(lines).toContain('Setting up pm-test-sec (1.0-2) ...');
    expect(versions(await backend.listInstalled())['pm-test-hello']).toBe('1.0-1');
    expect((await aptMark('showauto')).split('\n')).toContain('pm-test-sec');
  });

  it('security action without pending updates succeeds', async () => {
    const { outcome, lines } = await apply({ action: 'security' });

    expect(outcome.status).toBe('succeeded');
    expect(outcome.changes).toEqual([]);
    expect(lines).toEqual(['No security updates are pending.']);
  });

  it('upgrade-all upgrades the rest but not held packages', async () => {
    const { outcome, lines } = await apply({ action: 'upgrade-all' });

    expect(outcome.status).toBe('succeeded');
    expect(outcome.changes).toEqual([
      { name: 'pm-test-hello', arch: testRoot.nativeArch, before: '1.0-1', after: '2.0-1' },
    ]);
    expect(lines).toContain('Setting up pm-test-hello (2.0-1) ...');
    expect(versions(await backend.listInstalled())['pm-test-held']).toBe('1.0-1');

    const pending = await backend.listPendingUpdates();
    expect(pending.map((update) => [update.name, update.held])).toEqual([['pm-test-held', true]]);
  });

  it('packages action upgrades the named package', async () => {
    await aptMark('unhold', 'pm-test-held');

    const { outcome } = await apply({ action: 'packages', packages: ['pm-test-held'] });

    expect(outcome.status).toBe('succeeded');
    expect(outcome.changes).toEqual([
      { name: 'pm-test-held', arch: testRoot.nativeArch, before: '1.0-1', after: '1.1-1' },
    ]);
    expect(await backend.listPendingUpdates()).toEqual([]);
  });

  it('refresh runs apt-get update', async () => {
    const { outcome, lines } = await apply({ action: 'refresh' });

    expect(outcome.status).toBe('succeeded');
    expect(outcome.changes).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(lines[0]).toMatch(/^\$ apt-get .* update$/);
    expect(lines.some((line) => line.includes(' pmtest-security '))).toBe(true);
  });

  it('reboot state compares installed kernels', async () => {
    const olderKernel = createAptBackend({ aptConfig: testRoot.aptConfigPath, runningKernel: '6.1.0-1-pmtest' });
    const otherFlavour = createAptBackend({ aptConfig: testRoot.aptConfigPath, runningKernel: '6.1.0-9-cloud-amd64' });

    expect((await backend.rebootState()).required).toBe('no');
    expect(await backend.runningKernelNewest()).toBe('6.1.0-2-pmtest');
    expect(await olderKernel.rebootState()).toMatchObject({ required: 'yes', packages: ['linux-image-6.1.0-2-pmtest'] });
    expect(await olderKernel.runningKernelNewest()).toBe('6.1.0-2-pmtest');
    expect((await otherFlavour.rebootState()).required).toBe('unknown');
    expect(await otherFlavour.runningKernelNewest()).toBeNull();
  });

  it('reboot state reads the flag file', async () => {
    const flagPath = path.join(testRoot.root, 'run/reboot-required');
    await writeFile(flagPath, '*** System restart required ***\n');
    await writeFile(`${flagPath}.pkgs`, 'libc6\nlinux-base\nlibc6\n');
    try {
      const { outcome } = await apply({ action: 'upgrade-all', dryRun: true });

      expect(outcome.reboot).toMatchObject({ required: 'yes', packages: ['libc6', 'linux-base'] });
    } finally {
      await rm(flagPath);
      await rm(`${flagPath}.pkgs`);
    }
  });

  it('leaves the machine dpkg status untouched', async () => {
    const machineStatus = await readFile(MACHINE_STATUS_FILE, 'utf8');

    expect(machineStatus).not.toMatch(/^Package: (pm-test-|linux-image-6\.1\.0-\d-pmtest)/m);
    expect(await sha256(MACHINE_STATUS_FILE)).toBe(machineStatusBefore);
  });
});

describe('apt backend on this machine', () => {
  it('lists as many packages as dpkg-query', async () => {
    const rows = await runCommand({
      command: 'dpkg-query',
      args: ['-W', '-f', '${db:Status-Abbrev}\n'],
      timeoutMs: 60_000,
    });
    const expected = rows.stdout
      .split('\n')
      .filter((line) => line !== '' && !['n', 'c'].includes(line.charAt(1))).length;

    const installed = await createAptBackend().listInstalled();

    expect(rows.exitCode).toBe(0);
    expect(expected).toBeGreaterThan(0);
    expect(installed.length).toBe(expected);
  });
});
