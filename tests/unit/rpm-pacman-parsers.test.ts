import { describe, expect, it } from 'vitest';
import { runParse, type ParseIo } from '@/agent/cli/parse';
import { parseDnfTransaction } from '@/agent/package-managers/dnf/parse-transaction';
import { parseDnfUpdateinfoList } from '@/agent/package-managers/dnf/parse-updateinfo';
import { rebootStateFromNeedsRestarting } from '@/agent/package-managers/dnf/reboot-state';
import { diffInventories } from '@/agent/package-managers/installed-diff';
import { rebootStateFromKernelCandidates } from '@/agent/package-managers/kernel-reboot';
import { pacmanKernelCandidates } from '@/agent/package-managers/pacman/kernel-candidates';
import { parsePacmanQuery, parsePacmanQueryUpgrades } from '@/agent/package-managers/pacman/parse-query';
import { comparePacmanVersions } from '@/agent/package-managers/pacman-version';
import { compareRpmVersions } from '@/agent/package-managers/rpm-version';
import { rpmKernelCandidates } from '@/agent/package-managers/rpm/kernel-candidates';
import { parseRpmQuery } from '@/agent/package-managers/rpm/parse-rpm-query';
import type { InstalledPackage } from '@/agent/package-managers/types';

function installed(name: string, version: string, arch = 'x86_64'): InstalledPackage {
  return { name, version, arch, source: '', state: 'installed', held: false, broken: false };
}

/** Creates a ParseIo that reads files from a table and collects stdout and stderr. */
function memoryIo(files: Record<string, string>): ParseIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    readStdin: async () => '',
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
  };
}

describe('dnf updateinfo list', () => {
  it('reads dnf4 security and bugfix rows', () => {
    const text = [
      'Last metadata expiration check: 0:00:05 ago on Fri Dec  4 20:49:28 2026.',
      'PMTEST-2025:0001 Important/Sec. pm-test-hello-2.0-1.noarch',
      'RHBA-2024:1234   bugfix         openssl-libs-1:3.0.7-28.el9.x86_64',
    ].join('\n');

    expect(parseDnfUpdateinfoList(text)).toEqual([
      { id: 'PMTEST-2025:0001', type: 'security', severity: 'Important', name: 'pm-test-hello', version: '2.0-1', arch: 'noarch' },
      { id: 'RHBA-2024:1234', type: 'bugfix', severity: null, name: 'openssl-libs', version: '1:3.0.7-28.el9', arch: 'x86_64' },
    ]);
  });

  it('reads dnf5 rows with a severity column', () => {
    const text = [
      'Name                  Type     Severity  Package                         Issued',
      'FEDORA-2025-1a2b3c4d  security Moderate  curl-8.9.1-3.fc41.x86_64        2025-01-10 01:02:03',
    ].join('\n');

    expect(parseDnfUpdateinfoList(text)).toEqual([
      { id: 'FEDORA-2025-1a2b3c4d', type: 'security', severity: 'Moderate', name: 'curl', version: '8.9.1-3.fc41', arch: 'x86_64' },
    ]);
  });
});

describe('dnf transaction table', () => {
  it('reads upgrades, wrapped rows and replaced packages', () => {
    const text = [
      'Dependencies resolved.',
      '================================================================================',
      ' Package                Architecture    Version           Repository       Size',
      '================================================================================',
      'Upgrading:',
      ' pm-test-hello          noarch          2.0-1             pmtest          5.9 k',
      ' a-package-with-a-name-far-too-long-for-the-column',
      '                        x86_64          1:2.0-3.el9       appstream        12 M',
      'Installing:',
      ' NetworkManager         x86_64          1:1.0.0-14.el7    base            1.9 M',
      '     replacing  NetworkManager-bluetooth.x86_64 1:0.9.9.1-25.el7',
      '',
      'Transaction Summary',
      '================================================================================',
      'Upgrade  2 Packages',
    ].join('\n');

    expect(parseDnfTransaction(text)).toEqual([
      { action: 'upgrade', name: 'pm-test-hello', arch: 'noarch', version: '2.0-1' },
      { action: 'upgrade', name: 'a-package-with-a-name-far-too-long-for-the-column', arch: 'x86_64', version: '1:2.0-3.el9' },
      { action: 'install', name: 'NetworkManager', arch: 'x86_64', version: '1:1.0.0-14.el7' },
      { action: 'remove', name: 'NetworkManager-bluetooth', arch: 'x86_64', version: '1:0.9.9.1-25.el7' },
    ]);
  });
});

describe('needs-restarting -r', () => {
  it('reads a required reboot with its packages', () => {
    const text = 'Core libraries or services have been updated since boot-up:\n  * kernel\n  * systemd\n\nReboot is required to fully utilize these updates.\n';
    expect(rebootStateFromNeedsRestarting(1, text)).toMatchObject({ required: 'yes', packages: ['kernel', 'systemd'] });
  });

  it('returns null for a missing plugin', () => {
    expect(rebootStateFromNeedsRestarting(1, 'No such command: needs-restarting.')).toBeNull();
  });
});

describe('kernel comparison', () => {
  it('compares Red Hat kernels by rpm order', () => {
    const kernels = [installed('kernel-core', '5.14.0-70.13.1.el9_0'), installed('kernel-core', '5.14.0-503.15.1.el9_5'), installed('kernel', '5.14.0-503.15.1.el9_5')];
    const state = rebootStateFromKernelCandidates({
      running: '5.14.0-70.13.1.el9_0.x86_64',
      candidates: rpmKernelCandidates('5.14.0-70.13.1.el9_0.x86_64', kernels),
      compare: compareRpmVersions,
      orderName: 'rpm version order',
    });

    expect(state.required).toBe('yes');
    expect(state.packages).toEqual(['kernel-core-5.14.0-503.15.1.el9_5.x86_64']);
  });

  it('matches a SUSE kernel flavour', () => {
    const kernels = [installed('kernel-default', '6.4.0-150600.23.7.1'), installed('kernel-rt', '6.4.0-150600.30.1')];
    const candidates = rpmKernelCandidates('6.4.0-150600.23.7-default', kernels);
    const state = rebootStateFromKernelCandidates({ running: '6.4.0-150600.23.7-default', candidates, compare: compareRpmVersions, orderName: 'rpm version order' });

    expect(candidates.map((item) => item.release)).toEqual(['6.4.0-150600.23.7-default']);
    expect(state.required).toBe('no');
  });

  it('maps Arch kernel versions to uname releases', () => {
    const packages = [installed('linux', '6.12.10.arch1-1', ''), installed('linux-lts', '6.6.72-1', '')];

    expect(pacmanKernelCandidates('6.12.10-arch1-1', packages).map((item) => item.release)).toEqual(['6.12.10-arch1-1']);
    expect(pacmanKernelCandidates('6.6.72-1-lts', packages).map((item) => item.release)).toEqual(['6.6.72-1-lts']);
  });

  it('is unknown without a matching package', () => {
    const state = rebootStateFromKernelCandidates({ running: '6.1.0-custom', candidates: [], compare: comparePacmanVersions, orderName: 'pacman version order' });
    expect(state.required).toBe('unknown');
  });
});

describe('pacman queries', () => {
  it('reads -Q and -Qu with ignored packages', () => {
    expect(parsePacmanQuery('linux 6.12.10.arch1-1\nzstd 1.5.6-1\n').map((item) => [item.name, item.version])).toEqual([
      ['linux', '6.12.10.arch1-1'],
      ['zstd', '1.5.6-1'],
    ]);

    const updates = parsePacmanQueryUpgrades('linux 6.12.9.arch1-1 -> 6.12.10.arch1-1\nvim 9.1.0-1 -> 9.1.1-1 [ignored]\n');
    expect(updates.map((update) => [update.name, update.installed, update.candidate, update.held, update.security])).toEqual([
      ['linux', '6.12.9.arch1-1', '6.12.10.arch1-1', false, false],
      ['vim', '9.1.0-1', '9.1.1-1', true, false],
    ]);
  });

  it('rejects a -Q line of another shape', () => {
    expect(() => parsePacmanQuery('error: database not found\n')).toThrow(/invalid pacman -Q line 1/);
  });
});

describe('inventory diff', () => {
  it('keeps side-by-side kernels apart', () => {
    const before = [installed('kernel-core', '5.14.0-70.el9'), installed('bash', '5.1-1.el9')];
    const after = [installed('kernel-core', '5.14.0-70.el9'), installed('kernel-core', '5.14.0-503.el9'), installed('bash', '5.1-2.el9')];

    expect(diffInventories(before, after, compareRpmVersions)).toEqual([
      { name: 'bash', arch: 'x86_64', before: '5.1-1.el9', after: '5.1-2.el9' },
      { name: 'kernel-core', arch: 'x86_64', before: null, after: '5.14.0-503.el9' },
    ]);
  });

  it('reads source package names from rpm rows', () => {
    const rows = parseRpmQuery('openssl-libs\t1\t3.0.7\t27.el9\tx86_64\topenssl-3.0.7-27.el9.src.rpm\n').installed;
    expect(rows[0]).toMatchObject({ name: 'openssl-libs', version: '1:3.0.7-27.el9', source: 'openssl' });
  });
});

describe('pm-agent parse for rpm-family and pacman', () => {
  it('reads a failed check-update as a failure', async () => {
    const io = memoryIo({
      'out.txt': '',
      'err.txt': "Error: Failed to download metadata for repo 'baseos': Cannot download repomd.xml\n",
    });

    expect(await runParse(['dnf', 'check-update', 'out.txt', '--exit', '1', '--stderr', 'err.txt'], io)).toBe(0);
    expect(JSON.parse(io.out.join(''))).toMatchObject({ exitCode: 1, updates: null, repository: 'baseos', failure: { cause: 'repository-unreachable' } });
  });

  it('lists the kinds of every new manager', async () => {
    for (const manager of ['dnf', 'yum', 'zypper', 'pacman']) {
      const io = memoryIo({});
      expect(await runParse([manager, '--help'], io), manager).toBe(0);
      expect(io.out.join(''), manager).toContain(`${manager} `);
    }
  });

  it('requires the exit status for zypper exit', async () => {
    const io = memoryIo({ 'out.txt': 'Warning: One of the installed patches affects the package manager itself.\n' });
    expect(await runParse(['zypper', 'exit', 'out.txt'], io)).toBe(2);

    const withExit = memoryIo({ 'out.txt': 'Warning: One of the installed patches affects the package manager itself.\n' });
    expect(await runParse(['zypper', 'exit', 'out.txt', '--exit', '103'], withExit)).toBe(0);
    expect(JSON.parse(withExit.out.join(''))).toMatchObject({ success: true, rerun: true });
  });
});
