import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '@/agent/exec';

/** One test package version in the local repository. */
export interface TestPackage {
  name: string;
  version: string;
  /** `native` builds for dpkg's native architecture (amd64 on x86-64). */
  arch: 'native' | 'all';
  suite: typeof MAIN_SUITE | typeof SECURITY_SUITE;
  /** Installed into the isolated root when it is created. */
  preinstall: boolean;
  /** Content of `/etc/<name>.conf`, shipped as a dpkg conffile; absent means no conffile. */
  conffile?: string;
}

export const MAIN_SUITE = 'pmtest';
export const SECURITY_SUITE = 'pmtest-security';

/**
 * The repository's packages: two with updates (one of them from the security suite),
 * one for hold tests, one without an update, and two kernel images of a `-pmtest`
 * flavour for the reboot check. None has maintainer scripts.
 */
export const TEST_PACKAGES: readonly TestPackage[] = [
  { name: 'pm-test-hello', version: '1.0-1', arch: 'native', suite: MAIN_SUITE, preinstall: true },
  { name: 'pm-test-hello', version: '2.0-1', arch: 'native', suite: MAIN_SUITE, preinstall: false },
  { name: 'pm-test-sec', version: '1.0-1', arch: 'all', suite: MAIN_SUITE, preinstall: true },
  { name: 'pm-test-sec', version: '1.0-2', arch: 'all', suite: SECURITY_SUITE, preinstall: false },
  { name: 'pm-test-held', version: '1.0-1', arch: 'native', suite: MAIN_SUITE, preinstall: true },
  { name: 'pm-test-held', version: '1.1-1', arch: 'native', suite: MAIN_SUITE, preinstall: false },
  { name: 'pm-test-stable', version: '1.0-1', arch: 'all', suite: MAIN_SUITE, preinstall: true },
  { name: 'linux-image-6.1.0-1-pmtest', version: '6.1.0-1', arch: 'native', suite: MAIN_SUITE, preinstall: true },
  { name: 'linux-image-6.1.0-2-pmtest', version: '6.1.0-2', arch: 'native', suite: MAIN_SUITE, preinstall: true },
];

export interface AptTestRoot {
  /** Temporary directory that contains the root, the repository and the build tree. */
  baseDir: string;
  /** The isolated system root: its own dpkg database, apt state, cache and logs. */
  root: string;
  /** apt.conf to pass as `APT_CONFIG`. */
  aptConfigPath: string;
  dpkgAdmindir: string;
  /** dpkg's native architecture, which the `native` packages were built for. */
  nativeArch: string;
  /** Environment that points apt, apt-get and apt-mark at the isolated root. */
  env: Record<string, string>;
  /** Deletes everything under `baseDir`. */
  cleanup(): Promise<void>;
}

/**
 * Builds test packages with dpkg-deb, a local repository with apt-ftparchive, and an
 * isolated root whose apt configuration points every path (lists, cache, dpkg database,
 * sources, logs) inside it, then installs the preinstalled versions there with apt-get.
 *
 * The machine's own packages stay untouched because `DPkg::Options` gives dpkg
 * `--root` and `--admindir` inside the root, and because `Dir::Bin::dpkg` names a guard
 * script that refuses any dpkg call without that admindir. dpkg is not chrooted, so it
 * needs no binaries inside the root; the packages have no maintainer scripts.
 * Needs root, dpkg-deb and apt-ftparchive (Debian package apt-utils).
 */
export async function createAptTestRoot(packages: readonly TestPackage[] = TEST_PACKAGES): Promise<AptTestRoot> {
  const baseDir = await mkdtemp(path.join(os.tmpdir(), 'pm-apt-'));
  // apt reads file: repositories as the unprivileged _apt user, which needs to enter the directory.
  await chmod(baseDir, 0o755);

  try {
    const nativeArch = (await run('dpkg', ['--print-architecture'])).trim();
    const root = path.join(baseDir, 'root');
    const repoDir = path.join(baseDir, 'repo');

    await buildRepository({ baseDir, repoDir, nativeArch, packages });
    const aptConfigPath = await createRoot({ baseDir, root, repoDir, nativeArch });
    const env = { APT_CONFIG: aptConfigPath, DEBIAN_FRONTEND: 'noninteractive' };

    await run('apt-get', ['-q', 'update'], env);
    const preinstalled = packages.filter((item) => item.preinstall).map((item) => `${item.name}=${item.version}`);
    await run('apt-get', ['-y', '-q', 'install', ...preinstalled], env);

    return {
      baseDir,
      root,
      aptConfigPath,
      dpkgAdmindir: path.join(root, 'var/lib/dpkg'),
      nativeArch,
      env,
      cleanup: () => rm(baseDir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}

async function buildRepository(options: {
  baseDir: string;
  repoDir: string;
  nativeArch: string;
  packages: readonly TestPackage[];
}): Promise<void> {
  const { baseDir, repoDir, nativeArch, packages } = options;

  for (const item of packages) {
    const arch = item.arch === 'native' ? nativeArch : 'all';
    const tree = path.join(baseDir, 'build', `${item.name}_${item.version}`);
    await mkdir(path.join(tree, 'DEBIAN'), { recursive: true });
    await mkdir(path.join(tree, 'usr/share', item.name), { recursive: true });
    await writeFile(path.join(tree, 'usr/share', item.name, 'version'), `${item.version}\n`);
    if (item.conffile !== undefined) {
      await mkdir(path.join(tree, 'etc'), { recursive: true });
      await writeFile(path.join(tree, 'etc', `${item.name}.conf`), item.conffile);
      await writeFile(path.join(tree, 'DEBIAN/conffiles'), `/etc/${item.name}.conf\n`);
    }
    await writeFile(
      path.join(tree, 'DEBIAN/control'),
      [
        `Package: ${item.name}`,
        `Version: ${item.version}`,
        `Architecture: ${arch}`,
        'Maintainer: Patch Manager Tests <tests@example.invalid>',
        'Section: misc',
        'Priority: optional',
        `Description: test package ${item.name}`,
        ' Built by the patch manager test suite; it installs one text file.',
        '',
      ].join('\n'),
    );

    const poolDir = path.join(repoDir, 'pool', item.suite);
    await mkdir(poolDir, { recursive: true });
    await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, path.join(poolDir, `${item.name}_${item.version}_${arch}.deb`)]);
  }

  for (const suite of [MAIN_SUITE, SECURITY_SUITE]) {
    const indexDir = path.join(repoDir, 'dists', suite, 'main', `binary-${nativeArch}`);
    await mkdir(indexDir, { recursive: true });
    await mkdir(path.join(repoDir, 'pool', suite), { recursive: true });

    // Filename fields in Packages are relative to the repository root, so apt-ftparchive runs there.
    await writeFile(path.join(indexDir, 'Packages'), await run('apt-ftparchive', ['packages', `pool/${suite}`], {}, repoDir));

    const label = suite === SECURITY_SUITE ? 'Debian-Security' : 'Debian';
    const release = await run('apt-ftparchive', [
      '-o', 'APT::FTPArchive::Release::Origin=Debian',
      '-o', `APT::FTPArchive::Release::Label=${label}`,
      '-o', `APT::FTPArchive::Release::Suite=${suite}`,
      '-o', `APT::FTPArchive::Release::Codename=${suite}`,
      '-o', `APT::FTPArchive::Release::Architectures=${nativeArch}`,
      '-o', 'APT::FTPArchive::Release::Components=main',
      'release', path.join(repoDir, 'dists', suite),
    ]);
    // The Release file must not exist while apt-ftparchive hashes the suite directory.
    const releasePath = path.join(repoDir, 'dists', suite, 'Release');
    await writeFile(`${releasePath}.new`, release);
    await rename(`${releasePath}.new`, releasePath);
  }
}

/** Creates the root's directories, sources.list, apt.conf and dpkg guard; returns the apt.conf path. */
async function createRoot(options: { baseDir: string; root: string; repoDir: string; nativeArch: string }): Promise<string> {
  const { baseDir, root, repoDir, nativeArch } = options;
  const admindir = path.join(root, 'var/lib/dpkg');

  for (const dir of [
    'etc/apt/apt.conf.d',
    'etc/apt/preferences.d',
    'etc/apt/sources.list.d',
    'etc/apt/trusted.gpg.d',
    'var/lib/apt/lists/partial',
    'var/cache/apt/archives/partial',
    'var/log/apt',
    'var/lib/dpkg/info',
    'var/lib/dpkg/updates',
    'var/lib/dpkg/triggers',
    'run',
  ]) {
    await mkdir(path.join(root, dir), { recursive: true });
  }
  await writeFile(path.join(admindir, 'status'), '');
  await writeFile(path.join(admindir, 'available'), '');

  await writeFile(
    path.join(root, 'etc/apt/sources.list'),
    [MAIN_SUITE, SECURITY_SUITE].map((suite) => `deb [trusted=yes] file:${repoDir} ${suite} main\n`).join(''),
  );

  const guardPath = path.join(baseDir, 'bin/dpkg');
  await mkdir(path.dirname(guardPath), { recursive: true });
  await writeFile(
    guardPath,
    [
      '#!/bin/sh',
      '# Refuses every dpkg call that does not name the isolated dpkg database.',
      'for arg in "$@"; do',
      `  if [ "$arg" = "--admindir=${admindir}" ]; then exec /usr/bin/dpkg "$@"; fi`,
      'done',
      'echo "dpkg guard: refusing a call without --admindir=' + admindir + ': $*" >&2',
      'exit 2',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );

  const aptConfigPath = path.join(root, 'etc/apt/apt.conf');
  await writeFile(
    aptConfigPath,
    [
      `Dir "${root}/";`,
      'Dir::State "var/lib/apt/";',
      `Dir::State::status "${admindir}/status";`,
      'Dir::Cache "var/cache/apt/";',
      'Dir::Etc "etc/apt/";',
      'Dir::Etc::sourcelist "sources.list";',
      'Dir::Etc::sourceparts "sources.list.d";',
      'Dir::Etc::parts "apt.conf.d";',
      'Dir::Etc::preferencesparts "preferences.d";',
      'Dir::Log "var/log/apt/";',
      `Dir::Bin::dpkg "${guardPath}";`,
      `APT::Architecture "${nativeArch}";`,
      `APT::Architectures { "${nativeArch}"; };`,
      'Acquire::Languages "none";',
      `DPkg::Options { "--root=${root}"; "--admindir=${admindir}"; "--log=${root}/var/log/dpkg.log"; };`,
      '',
    ].join('\n'),
  );

  return aptConfigPath;
}

async function run(command: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<string> {
  const result = await runCommand({ command, args, env, cwd, timeoutMs: 120_000 });

  if (result.exitCode !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.exitCode ?? result.signal}):\n${result.stderr}${result.stdout}`);
  }

  return result.stdout;
}
