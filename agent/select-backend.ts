import { accessSync, constants } from 'node:fs';
import path from 'node:path';

import type { InventoryBackend } from './inventory';
import { createAptBackend } from './package-managers/apt/backend';
import { createDnfBackend } from './package-managers/dnf/backend';
import { createPacmanBackend } from './package-managers/pacman/backend';
import type { HostFacts } from './package-managers/types';
import { createZypperBackend } from './package-managers/zypper/backend';
import type { AgentEnvironment } from './paths';

type ManagerName = HostFacts['packageManager'];

const MANAGERS: readonly ManagerName[] = ['apt', 'dnf', 'yum', 'zypper', 'pacman'];

/** The program whose presence marks each package manager, in detection order. */
const DETECTION: readonly [ManagerName, string][] = [
  ['apt', 'apt-get'],
  ['dnf', 'dnf'],
  ['yum', 'yum'],
  ['zypper', 'zypper'],
  ['pacman', 'pacman'],
];

/**
 * Creates the package-manager backend for this host from the environment:
 *
 * - `PM_AGENT_PACKAGE_MANAGER`: `apt`, `dnf`, `yum`, `zypper` or `pacman`, to skip the
 *   detection. Otherwise the first of apt-get, dnf, yum, zypper and pacman found in
 *   PATH or the standard sbin and bin directories decides, so a RHEL host with both
 *   dnf and its yum alias gets dnf.
 * - `PM_AGENT_APT_CONFIG`: apt configuration file (`APT_CONFIG`), for an isolated root;
 *   it also selects apt when no manager is forced.
 * - `PM_AGENT_DPKG_ADMINDIR`: dpkg database directory; by default the directory of
 *   the apt configuration's `Dir::State::status`.
 * - `PM_AGENT_REBOOT_REQUIRED`: reboot flag file instead of /var/run/reboot-required.
 * - `PM_AGENT_INSTALL_ROOT`: isolated root for dnf and yum (`--installroot`), zypper
 *   (`--root`) and pacman (`--root` with every database and configuration path inside it).
 * - `PM_AGENT_RELEASEVER`: `--releasever` for dnf and yum in a root without a release package.
 *
 * Throws when the named manager is unknown or the host has no supported package manager.
 */
export function createBackendFromEnv(env: AgentEnvironment): InventoryBackend {
  const aptConfig = nonEmpty(env.PM_AGENT_APT_CONFIG);
  const installRoot = nonEmpty(env.PM_AGENT_INSTALL_ROOT);
  const manager = chooseManager(nonEmpty(env.PM_AGENT_PACKAGE_MANAGER), aptConfig, env.PATH);

  switch (manager) {
    case 'apt':
      return createAptBackend({
        aptConfig,
        dpkgAdmindir: nonEmpty(env.PM_AGENT_DPKG_ADMINDIR),
        rebootRequiredPath: nonEmpty(env.PM_AGENT_REBOOT_REQUIRED),
      });
    case 'dnf':
    case 'yum':
      return createDnfBackend({ tool: manager, installRoot, releasever: nonEmpty(env.PM_AGENT_RELEASEVER) });
    case 'zypper':
      return createZypperBackend({ root: installRoot });
    case 'pacman':
      return createPacmanBackend({ root: installRoot });
  }
}

function chooseManager(forced: string | undefined, aptConfig: string | undefined, pathVariable: string | undefined): ManagerName {
  if (forced !== undefined) {
    const name = MANAGERS.find((candidate) => candidate === forced);
    if (name === undefined) {
      throw new Error(`invalid PM_AGENT_PACKAGE_MANAGER=${JSON.stringify(forced)}: expected one of ${MANAGERS.join(', ')}`);
    }
    return name;
  }

  if (aptConfig !== undefined) return 'apt';

  const detected = DETECTION.find(([, program]) => isOnPath(program, pathVariable));
  if (detected === undefined) {
    throw new Error('no supported package manager found: none of apt-get, dnf, yum, zypper and pacman is in PATH or the standard bin directories');
  }
  return detected[0];
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Looks for an executable in PATH and in the standard sbin and bin directories, which a service may lack in PATH. */
function isOnPath(command: string, pathVariable: string | undefined): boolean {
  const directories = [...(pathVariable ?? '').split(':'), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

  return directories.some((directory) => {
    if (directory === '') return false;
    try {
      accessSync(path.join(directory, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
