import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './rpm-repo';

/** One test package for pacman. */
export interface TestPacmanPackage {
  name: string;
  /** `pkgver-pkgrel`. */
  version: string;
  preinstall: boolean;
  published: boolean;
}

export const PACMAN_REPOSITORY = 'pmtest';

/** Two packages with updates, one without, and the `linux` kernel for the reboot check. */
export const TEST_PACMAN_PACKAGES: readonly TestPacmanPackage[] = [
  { name: 'pm-test-hello', version: '1.0-1', preinstall: true, published: false },
  { name: 'pm-test-hello', version: '2.0-1', preinstall: false, published: true },
  { name: 'pm-test-tools', version: '1.0-1', preinstall: true, published: false },
  { name: 'pm-test-tools', version: '1.1-1', preinstall: false, published: true },
  { name: 'pm-test-stable', version: '1.0-1', preinstall: true, published: true },
  { name: 'linux', version: '6.12.10.arch1-1', preinstall: true, published: true },
];

/** `uname -r` of a kernel older than the installed `linux` 6.12.10.arch1-1. */
export const TEST_PACMAN_RUNNING_KERNEL = '6.12.9-arch1-1';

export interface PacmanTestRoot {
  baseDir: string;
  root: string;
  cleanup(): Promise<void>;
}

/**
 * Builds pacman packages by hand (a `.PKGINFO` and one file, packed with bsdtar and
 * compressed with zstd), a repository with repo-add, and an isolated root whose
 * pacman.conf names that repository with signature checks off (the packages are
 * unsigned). The preinstalled versions are installed with `pacman -U` inside the
 * root, with every pacman path pointed into it. Needs pacman, repo-add
 * (pacman-package-manager), bsdtar (libarchive-tools) and zstd.
 */
export async function createPacmanTestRoot(packages: readonly TestPacmanPackage[] = TEST_PACMAN_PACKAGES): Promise<PacmanTestRoot> {
  const baseDir = await mkdtemp(path.join(os.tmpdir(), 'pm-pacman-'));

  try {
    const root = path.join(baseDir, 'root');
    const repoDir = path.join(baseDir, 'repo');
    const stagingDir = path.join(baseDir, 'packages');
    await mkdir(repoDir, { recursive: true });
    await mkdir(stagingDir, { recursive: true });

    const files = new Map<TestPacmanPackage, string>();
    for (const item of packages) files.set(item, await buildPackage(baseDir, stagingDir, item));

    const published = packages.filter((item) => item.published).map((item) => files.get(item) ?? '');
    for (const file of published) await run('cp', [file, repoDir]);
    await run('repo-add', ['--quiet', path.join(repoDir, `${PACMAN_REPOSITORY}.db.tar.gz`), ...published.map((file) => path.join(repoDir, path.basename(file)))]);

    for (const dir of ['var/lib/pacman/local', 'var/lib/pacman/sync', 'var/cache/pacman/pkg', 'var/log', 'etc/pacman.d/gnupg', 'etc/pacman.d/hooks']) {
      await mkdir(path.join(root, dir), { recursive: true });
    }
    await writeFile(
      path.join(root, 'etc/pacman.conf'),
      ['[options]', 'Architecture = auto', 'SigLevel = Never', 'LocalFileSigLevel = Never', '', `[${PACMAN_REPOSITORY}]`, `Server = file://${repoDir}`, ''].join('\n'),
    );

    const preinstalled = packages.filter((item) => item.preinstall).map((item) => files.get(item) ?? '');
    await run('pacman', [...pacmanRootArguments(root), '-U', '--noconfirm', ...preinstalled]);

    return { baseDir, root, cleanup: () => rm(baseDir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}

/** Returns the root options the backend passes, for the helper's own pacman call. */
function pacmanRootArguments(root: string): string[] {
  return [
    '--root', root,
    '--dbpath', path.join(root, 'var/lib/pacman'),
    '--config', path.join(root, 'etc/pacman.conf'),
    '--cachedir', path.join(root, 'var/cache/pacman/pkg'),
    '--logfile', path.join(root, 'var/log/pacman.log'),
    '--gpgdir', path.join(root, 'etc/pacman.d/gnupg'),
    '--hookdir', path.join(root, 'etc/pacman.d/hooks'),
  ];
}

async function buildPackage(baseDir: string, stagingDir: string, item: TestPacmanPackage): Promise<string> {
  const tree = path.join(baseDir, 'build', `${item.name}-${item.version}`);
  const dataDir = path.join(tree, 'usr/share', item.name);
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, 'version'), `${item.version}\n`);
  await writeFile(
    path.join(tree, '.PKGINFO'),
    [
      '# Built by the patch manager test suite',
      `pkgname = ${item.name}`,
      `pkgbase = ${item.name}`,
      `pkgver = ${item.version}`,
      `pkgdesc = test package ${item.name}`,
      'url = https://example.invalid/',
      'builddate = 1735689600',
      'packager = Patch Manager Tests <tests@example.invalid>',
      'size = 4096',
      'arch = any',
      'license = MIT',
      '',
    ].join('\n'),
  );

  const tarFile = path.join(baseDir, 'build', `${item.name}-${item.version}-any.pkg.tar`);
  await run('bsdtar', ['-cf', tarFile, '--uid', '0', '--gid', '0', '-C', tree, '.PKGINFO', 'usr']);
  const packageFile = path.join(stagingDir, `${item.name}-${item.version}-any.pkg.tar.zst`);
  await run('zstd', ['-q', '-f', tarFile, '-o', packageFile]);
  return packageFile;
}
