import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '@/agent/exec';

/** One test rpm in the local repository. */
export interface TestRpm {
  name: string;
  version: string;
  release: string;
  /** Installed into the isolated root when it is created. */
  preinstall: boolean;
  /** Published in the repository. */
  published: boolean;
}

/** The security advisory that updateinfo.xml carries for pm-test-hello 2.0-1. */
export const SECURITY_ADVISORY = 'PMTEST-2025:0001';
export const ADVISORY_CVE = 'CVE-2025-0001';

/**
 * The packages: pm-test-hello has a security update (the advisory above), pm-test-tools
 * a plain update, pm-test-stable none, and two installonly `kernel-core` packages sit
 * side by side for the reboot check. All are noarch and have no scriptlets.
 */
export const TEST_RPMS: readonly TestRpm[] = [
  { name: 'pm-test-hello', version: '1.0', release: '1', preinstall: true, published: true },
  { name: 'pm-test-hello', version: '2.0', release: '1', preinstall: false, published: true },
  { name: 'pm-test-tools', version: '1.0', release: '1', preinstall: true, published: true },
  { name: 'pm-test-tools', version: '1.1', release: '1', preinstall: false, published: true },
  { name: 'pm-test-stable', version: '1.0', release: '1', preinstall: true, published: true },
  { name: 'kernel-core', version: '5.14.0', release: '70.pm', preinstall: true, published: false },
  { name: 'kernel-core', version: '5.14.0', release: '503.pm', preinstall: true, published: false },
];

/** `uname -r` of the older test kernel, so that the newer installed one requires a reboot. */
export const TEST_RUNNING_KERNEL = '5.14.0-70.pm.noarch';

export interface RpmTestRoot {
  /** Temporary directory that contains the root, the repository and the build tree. */
  baseDir: string;
  /** The isolated system root with its own rpm database and repository files. */
  root: string;
  repoDir: string;
  /** Deletes everything under `baseDir`. */
  cleanup(): Promise<void>;
}

/**
 * Builds the test rpms with rpmbuild, a repository with createrepo_c plus an
 * updateinfo.xml (added with modifyrepo_c) that marks pm-test-hello 2.0-1 as a
 * security fix, and an isolated root with its own rpm database in which `rpm --root`
 * installs the preinstalled versions. The root has repository files for dnf
 * (`etc/yum.repos.d`) and zypper (`etc/zypp/repos.d`) with gpgcheck off, because
 * the test packages are unsigned. Needs rpmbuild (Debian package rpm) and createrepo-c.
 */
export async function createRpmTestRoot(packages: readonly TestRpm[] = TEST_RPMS): Promise<RpmTestRoot> {
  const baseDir = await mkdtemp(path.join(os.tmpdir(), 'pm-rpm-'));

  try {
    const root = path.join(baseDir, 'root');
    const repoDir = path.join(baseDir, 'repo');
    const rpmsDir = await buildRpms(baseDir, packages);

    await mkdir(repoDir, { recursive: true });
    for (const item of packages.filter((candidate) => candidate.published)) {
      const file = rpmFileName(item);
      await run('cp', [path.join(rpmsDir, file), path.join(repoDir, file)]);
    }
    await run('createrepo_c', ['--quiet', repoDir]);
    const updateinfo = path.join(baseDir, 'updateinfo.xml');
    await writeFile(updateinfo, updateinfoXml());
    await run('modifyrepo_c', ['--mdtype=updateinfo', updateinfo, path.join(repoDir, 'repodata')]);

    await run('rpm', ['--root', root, '--initdb']);
    const preinstalled = packages.filter((item) => item.preinstall).map((item) => path.join(rpmsDir, rpmFileName(item)));
    await run('rpm', ['--root', root, '-i', '--nodeps', '--noscripts', ...preinstalled]);

    const repoFile = ['[pmtest]', 'name=pmtest', `baseurl=file://${repoDir}`, 'enabled=1', 'gpgcheck=0', 'repo_gpgcheck=0', 'autorefresh=1', 'type=rpm-md', ''].join('\n');
    for (const dir of ['etc/yum.repos.d', 'etc/zypp/repos.d']) {
      await mkdir(path.join(root, dir), { recursive: true });
      await writeFile(path.join(root, dir, 'pmtest.repo'), repoFile);
    }

    return { baseDir, root, repoDir, cleanup: () => rm(baseDir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}

function rpmFileName(item: TestRpm): string {
  return `${item.name}-${item.version}-${item.release}.noarch.rpm`;
}

async function buildRpms(baseDir: string, packages: readonly TestRpm[]): Promise<string> {
  const topdir = path.join(baseDir, 'rpmbuild');
  const specFile = path.join(baseDir, 'test-package.spec');
  // Each version installs its own file, so two kernel-core versions can sit side by side.
  await writeFile(
    specFile,
    [
      'Name: %{pm_name}',
      'Version: %{pm_version}',
      'Release: %{pm_release}',
      'Summary: patch manager test package',
      'License: MIT',
      'BuildArch: noarch',
      '%description',
      'Built by the patch manager test suite; it installs one text file.',
      '%install',
      'mkdir -p %{buildroot}/usr/share/%{name}',
      'echo %{version}-%{release} > %{buildroot}/usr/share/%{name}/%{version}-%{release}',
      '%files',
      '/usr/share/%{name}/%{version}-%{release}',
      '',
    ].join('\n'),
  );

  for (const item of packages) {
    await run('rpmbuild', [
      '--quiet',
      '--define', `_topdir ${topdir}`,
      // rpmbuild opens the rpm database to check build dependencies; Debian's rpm keeps it in ~/.rpmdb.
      '--define', `_dbpath ${path.join(baseDir, 'rpmbuild-db')}`,
      '--define', `_tmppath ${baseDir}`,
      '--define', `pm_name ${item.name}`,
      '--define', `pm_version ${item.version}`,
      '--define', `pm_release ${item.release}`,
      '-bb', specFile,
    ]);
  }

  const rpmsDir = path.join(topdir, 'RPMS', 'noarch');
  const built = await readdir(rpmsDir);
  if (built.length !== packages.length) throw new Error(`rpmbuild produced ${built.length} packages, expected ${packages.length}: ${built.join(', ')}`);
  return rpmsDir;
}

function updateinfoXml(): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<updates>',
    '  <update from="tests@example.invalid" status="stable" type="security" version="2.0">',
    `    <id>${SECURITY_ADVISORY}</id>`,
    '    <title>Important: pm-test-hello security update</title>',
    '    <severity>Important</severity>',
    '    <issued date="2025-01-01 00:00:00"/>',
    '    <references>',
    `      <reference href="https://example.invalid/${ADVISORY_CVE}" id="${ADVISORY_CVE}" type="cve" title="${ADVISORY_CVE}"/>`,
    '    </references>',
    '    <description>Fixes a test flaw.</description>',
    '    <pkglist>',
    '      <collection short="pmtest">',
    '        <name>pmtest</name>',
    '        <package name="pm-test-hello" version="2.0" release="1" epoch="0" arch="noarch" src="pm-test-hello-2.0-1.src.rpm">',
    '          <filename>pm-test-hello-2.0-1.noarch.rpm</filename>',
    '        </package>',
    '      </collection>',
    '    </pkglist>',
    '  </update>',
    '</updates>',
    '',
  ].join('\n');
}

export async function run(command: string, args: string[], cwd?: string): Promise<string> {
  const result = await runCommand({ command, args, cwd, timeoutMs: 120_000 });

  if (result.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.exitCode ?? result.signal}):\n${result.stderr}${result.stdout}`);
  }

  return result.stdout;
}
