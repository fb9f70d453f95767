import { describe, expect, it } from 'vitest';
import { classifyAptFailure } from '@/agent/package-managers/apt/classify-failure';
import { parseDpkgQuery } from '@/agent/package-managers/apt/parse-dpkg-query';
import { parseAptListUpgradable } from '@/agent/package-managers/apt/parse-list-upgradable';
import { parseAptMarkShowhold } from '@/agent/package-managers/apt/parse-showhold';
import { parseAptSimulation } from '@/agent/package-managers/apt/parse-simulation';
import { combineRebootStates, rebootStateFromFlagFile, rebootStateFromKernels } from '@/agent/package-managers/apt/reboot';

/* Hard cases that the recorded fixtures do not cover. */

describe('parseAptListUpgradable', () => {
  it('ignores security in a package name', () => {
    const [update] = parseAptListUpgradable('libapache2-mod-security2/bookworm-updates 2.9.7-1+deb12u1 amd64 [upgradable from: 2.9.7-1]\n');

    expect(update).toMatchObject({ name: 'libapache2-mod-security2', security: false });
  });

  it('ignores a suite that only contains security', () => {
    const [update] = parseAptListUpgradable('foo/security-tools 2.0 amd64 [upgradable from: 1.0]\n');

    expect(update?.security).toBe(false);
  });

  it('skips an installed row listed with other suites', () => {
    const updates = parseAptListUpgradable(
      'foo/jammy-updates 2.0 amd64 [upgradable from: 1.0]\nfoo/jammy,now 1.0 amd64 [installed,upgradable to: 2.0]\nfoo/jammy-backports 0.9 amd64\n',
    );

    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ installed: '1.0', candidate: '2.0', repository: 'jammy-updates' });
  });

  it('keeps both architectures of one package', () => {
    const updates = parseAptListUpgradable('libc6/stable 2.0 amd64 [upgradable from: 1.0]\nlibc6/stable 2.0 i386 [upgradable from: 1.0]\n');

    expect(updates.map((update) => update.arch)).toEqual(['amd64', 'i386']);
  });

  it('marks a foreign-architecture hold', () => {
    const updates = parseAptListUpgradable('libc6/stable 2.0 i386 [upgradable from: 1.0]\n', new Set(['libc6:i386']));

    expect(updates[0]?.held).toBe(true);
  });

  it('reads CRLF line endings', () => {
    const updates = parseAptListUpgradable('Listing...\r\nfoo/stable 2.0 amd64 [upgradable from: 1.0]\r\n');

    expect(updates[0]).toMatchObject({ name: 'foo', installed: '1.0' });
  });
});

describe('parseAptSimulation', () => {
  it('reads a foreign-architecture Inst line', () => {
    const { updates } = parseAptSimulation('Inst libc6:i386 [2.36-9] (2.36-9+deb12u4 Debian:12.5/stable [i386]) [libc6:amd64 ]\n');

    expect(updates[0]).toMatchObject({ name: 'libc6', arch: 'i386', installed: '2.36-9', candidate: '2.36-9+deb12u4', repository: 'Debian:12.5/stable' });
  });

  it('reads the Debian-Security label of newer releases', () => {
    const { updates } = parseAptSimulation('Inst openssl [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])\n');

    expect(updates[0]?.security).toBe(true);
  });

  it('reads security from any of several origins', () => {
    const { updates } = parseAptSimulation('Inst tzdata [2024a-0] (2024b-0 Ubuntu:24.04/noble-updates, Ubuntu:24.04/noble-security [all])\n');

    expect(updates[0]).toMatchObject({ security: true, repository: 'Ubuntu:24.04/noble-updates, Ubuntu:24.04/noble-security' });
  });

  it('reads Purg lines as removals', () => {
    const { removals } = parseAptSimulation('Purg old-tool [1.0-1]\n');

    expect(removals).toEqual([{ name: 'old-tool', installed: '1.0-1' }]);
  });

  it('reads the apt 3 not-upgrading block', () => {
    const simulation = parseAptSimulation('Not upgrading:\n  held-tool  meta\n\nSummary:\n  Upgrading: 0, Installing: 0, Removing: 0, Not Upgrading: 2\n', new Set(['held-tool']));

    expect(simulation.keptBack).toEqual([
      { name: 'held-tool', reason: 'held' },
      { name: 'meta', reason: 'requires new packages' },
    ]);
    expect(simulation.summary).toEqual({ upgraded: 0, newlyInstalled: 0, toRemove: 0, notUpgraded: 2 });
  });

  it('reads a summary line with downgrades', () => {
    const { summary } = parseAptSimulation('1 upgraded, 2 newly installed, 1 downgraded, 3 to remove and 4 not upgraded.\n');

    expect(summary).toEqual({ upgraded: 1, newlyInstalled: 2, toRemove: 3, notUpgraded: 4 });
  });

  it('returns no summary without a count line', () => {
    expect(parseAptSimulation('Reading package lists...\n').summary).toBeNull();
  });

  it('reads wrapped kept-back lines', () => {
    const { keptBack } = parseAptSimulation('The following packages have been kept back:\n  a b\n  c\nInst d [1] (2 Debian:12/stable [all])\n');

    expect(keptBack.map((item) => item.name)).toEqual(['a', 'b', 'c']);
  });
});

describe('parseDpkgQuery', () => {
  it('maps every current-state letter', () => {
    const text = ['ii \ta\t1', 'iH \tb\t1', 'iU \tc\t1', 'iF \td\t1', 'iW \te\t1', 'it \tf\t1', 'un \tg\t', 'pn \th\t', 'rc \ti\t1'].join('\n');
    const { installed, excluded } = parseDpkgQuery(text);

    expect(installed.map((item) => [item.name, item.state, item.broken])).toEqual([
      ['a', 'installed', false],
      ['b', 'half-installed', true],
      ['c', 'unpacked', true],
      ['d', 'half-configured', true],
      ['e', 'triggers-awaited', false],
      ['f', 'triggers-pending', false],
    ]);
    expect(excluded.map((item) => [item.name, item.state])).toEqual([
      ['g', 'not-installed'],
      ['h', 'not-installed'],
      ['i', 'config-files'],
    ]);
  });

  it('marks reinstall-required packages broken', () => {
    const { installed } = parseDpkgQuery('iHR\tstuck\t2.0-1\tamd64\tstuck\n');

    expect(installed[0]).toMatchObject({ state: 'half-installed', broken: true });
  });

  it('takes the architecture from a qualified name', () => {
    const { installed } = parseDpkgQuery('ii \tlibc6:i386\t2.36-9\n');

    expect(installed[0]).toMatchObject({ name: 'libc6', arch: 'i386' });
  });

  it('rejects an unknown status', () => {
    expect(() => parseDpkgQuery('iX \tfoo\t1.0\n')).toThrow("unknown status 'iX '");
  });

  it('rejects a row without tabs', () => {
    expect(() => parseDpkgQuery('ii foo 1.0\n')).toThrow('invalid dpkg-query line 1');
  });
});

describe('parseAptMarkShowhold', () => {
  it('returns each name once', () => {
    expect(parseAptMarkShowhold('foo\n\nbar:i386\nfoo\n')).toEqual(['foo', 'bar:i386']);
  });
});

describe('reboot state', () => {
  it('reads a missing flag file as unknown', () => {
    expect(rebootStateFromFlagFile(null, 'linux-base\n')).toMatchObject({ required: 'unknown', packages: [] });
  });

  it('reads a flag file without a package list', () => {
    expect(rebootStateFromFlagFile('*** System restart required ***\n', null)).toMatchObject({ required: 'yes', packages: [] });
  });

  it('compares Debian kernel flavours separately', () => {
    const packages = ['linux-image-6.1.0-18-amd64 6.1.76-1', 'linux-image-6.1.0-20-cloud-amd64 6.1.85-1', 'linux-image-amd64 6.1.76-1'].join('\n');

    expect(rebootStateFromKernels('6.1.0-18-amd64', packages).required).toBe('no');
    expect(rebootStateFromKernels('6.1.0-17-cloud-amd64', packages)).toMatchObject({ required: 'yes', packages: ['linux-image-6.1.0-20-cloud-amd64'] });
  });

  it('orders Raspberry Pi ABI names', () => {
    const packages = ['linux-image-6.1.0-rpi7-rpi-v8 1:6.1.63-1+rpt1', 'linux-image-6.1.0-rpi8-rpi-v8 1:6.1.73-1+rpt1'].join('\n');

    expect(rebootStateFromKernels('6.1.0-rpi7-rpi-v8', packages)).toMatchObject({ required: 'yes', packages: ['linux-image-6.1.0-rpi8-rpi-v8'] });
  });

  it('counts unsigned images as their release', () => {
    const packages = ['linux-image-unsigned-6.8.0-101-generic 6.8.0-101.101', 'linux-image-6.8.0-100-generic 6.8.0-100.100'].join('\n');

    expect(rebootStateFromKernels('6.8.0-101-generic', packages).required).toBe('no');
  });

  it('reads an unknown flavour as unknown', () => {
    expect(rebootStateFromKernels('6.9.1-custom', 'linux-image-6.8.0-100-generic 6.8.0-100.100\n').required).toBe('unknown');
  });

  it('requires a reboot when the running kernel has no package', () => {
    expect(rebootStateFromKernels('6.8.0-99-generic', 'linux-image-6.8.0-100-generic 6.8.0-100.100\n').required).toBe('yes');
  });

  it('lets a set flag win over the kernels', () => {
    const flag = rebootStateFromFlagFile('', 'libc6\n');
    const kernels = rebootStateFromKernels('6.8.0-100-generic', 'linux-image-6.8.0-100-generic 6.8.0-100.100\n');

    expect(combineRebootStates(flag, kernels)).toBe(flag);
  });

  it('falls back to the kernels without a flag file', () => {
    const flag = rebootStateFromFlagFile(null, null);
    const kernels = rebootStateFromKernels('6.8.0-31-generic', 'linux-image-6.8.0-100-generic 6.8.0-100.100\n');

    expect(combineRebootStates(flag, kernels)).toBe(kernels);
  });

  it('stays unknown when neither source knows', () => {
    const combined = combineRebootStates(rebootStateFromFlagFile(null, null), rebootStateFromKernels('6.9.1-custom', ''));

    expect(combined.required).toBe('unknown');
    expect(combined.reason).toContain('/var/run/reboot-required does not exist');
  });
});

describe('classifyAptFailure', () => {
  const failed = (stderr: string, stdout = '') => classifyAptFailure({ exitCode: 100, stdout, stderr, timedOut: false });

  it('returns null for a successful run', () => {
    expect(classifyAptFailure({ exitCode: 0, stdout: '', stderr: 'W: something', timedOut: false })).toBeNull();
  });

  it('reads a timeout before the output', () => {
    expect(classifyAptFailure({ exitCode: null, stdout: '', stderr: 'E: Could not get lock /var/lib/dpkg/lock', timedOut: true })?.cause).toBe('timeout');
  });

  it('reads the lists lock', () => {
    expect(failed('E: Could not get lock /var/lib/apt/lists/lock. It is held by process 812 (apt-get)\n')).toMatchObject({
      cause: 'lock-held',
      lock: '/var/lib/apt/lists/lock',
      holderPid: 812,
      holder: 'apt-get',
    });
  });

  it('reads the dpkg frontend lock message', () => {
    expect(failed('dpkg: error: dpkg frontend lock was locked by another process with pid 4242\n')).toMatchObject({
      cause: 'lock-held',
      lock: '/var/lib/dpkg/lock-frontend',
      holderPid: 4242,
      holder: null,
    });
  });

  it('reads no space left', () => {
    expect(failed("E: Write error - write (28: No space left on device)\n")).toMatchObject({ cause: 'no-space', retriable: false });
  });

  it('reads a conffile prompt at end of input', () => {
    const stdout = "dpkg: error processing package foo (--configure):\n end of file on stdin at conffile prompt\n";
    expect(failed('E: Sub-process /usr/bin/dpkg returned an error code (1)\n', stdout)?.cause).toBe('interactive-prompt');
  });

  it('reads a name resolution failure', () => {
    expect(failed("W: Failed to fetch http://deb.example.org/dists/stable/InRelease  Temporary failure resolving 'deb.example.org'\n")).toMatchObject({
      cause: 'repository-unreachable',
      retriable: true,
    });
  });

  it('reports the last error line as unknown', () => {
    const failure = failed('E: Unable to locate package nosuchpackage\n');

    expect(failure).toMatchObject({ cause: 'unknown', retriable: false });
    expect(failure?.message).toContain('E: Unable to locate package nosuchpackage');
  });

  it('reports a run ended by a signal', () => {
    expect(classifyAptFailure({ exitCode: null, stdout: '', stderr: '', timedOut: false })?.message).toContain('ended by a signal');
  });
});

describe('parseAptSimulation with trailing dependency groups', () => {
  it('reads an Inst line followed by two bracket groups', () => {
    const output = [
      'Inst libpam-modules-bin [1.5.2-6+deb12u1] (1.5.2-6+deb12u2 Debian:12.9/stable [amd64]) [libpam-modules:amd64 on libpam-modules-bin:amd64] [libpam-modules:amd64 ]',
    ].join('\n');

    const result = parseAptSimulation(output);

    expect(result.updates).toHaveLength(1);
    expect(result.updates[0]).toMatchObject({ name: 'libpam-modules-bin', installed: '1.5.2-6+deb12u1', candidate: '1.5.2-6+deb12u2' });
  });
});
