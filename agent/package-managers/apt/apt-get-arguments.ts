import type { PatchAction } from '../types';

/**
 * Options for every apt-get run the agent starts: assume yes, quiet progress, and
 * dpkg's `--force-confdef --force-confold`, which installs a package's new configuration
 * file only where the local copy was never changed and keeps changed ones. apt-get
 * waits up to `lockTimeoutSeconds` for the dpkg lock and prints dpkg's output as plain
 * lines without a pseudo-terminal or colours.
 */
export function aptGetCommonArguments(options: { lockTimeoutSeconds: number; dryRun: boolean }): string[] {
  const args = [
    '-y',
    '-q',
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
    '-o',
    `DPkg::Lock::Timeout=${options.lockTimeoutSeconds}`,
    '-o',
    'Dpkg::Use-Pty=0',
    '-o',
    'APT::Color=0',
  ];

  if (options.dryRun) {
    args.push('-s');
  }

  return args;
}

/**
 * Returns the apt-get subcommand and its arguments for one action.
 *
 * `upgrade-all` runs `apt-get upgrade --with-new-pkgs`: it installs new packages that
 * an upgrade depends on, such as the next kernel ABI behind `linux-image-amd64`, but it
 * never removes a package. Plain `apt-get upgrade` would keep those updates back for
 * ever. `dist-upgrade` may also remove packages. `security` and `packages` run
 * `install --only-upgrade` on the given names, so a name that is not installed is
 * skipped instead of installed.
 */
export function aptGetActionArguments(action: Exclude<PatchAction, 'refresh'>, packages: string[]): string[] {
  switch (action) {
    case 'upgrade-all':
      return ['upgrade', '--with-new-pkgs'];
    case 'dist-upgrade':
      return ['dist-upgrade'];
    case 'security':
    case 'packages':
      return ['install', '--only-upgrade', ...packages];
  }
}
