import { accessSync, constants } from 'node:fs';
import path from 'node:path';

import type { InventoryBackend } from './inventory';
import { createAptBackend } from './package-managers/apt/backend';
import type { AgentEnvironment } from './paths';

/**
 * Creates the package-manager backend for this host from the environment:
 *
 * - `PM_AGENT_APT_CONFIG`: apt configuration file (`APT_CONFIG`), for an isolated root.
 * - `PM_AGENT_DPKG_ADMINDIR`: dpkg database directory; by default the directory of
 *   the apt configuration's `Dir::State::status`.
 * - `PM_AGENT_REBOOT_REQUIRED`: reboot flag file instead of /var/run/reboot-required.
 *
 * Throws when the host has no supported package manager.
 */
export function createBackendFromEnv(env: AgentEnvironment): InventoryBackend {
  const aptConfig = nonEmpty(env.PM_AGENT_APT_CONFIG);

  if (aptConfig === undefined && !isOnPath('apt-get', env.PATH)) {
    // NOTE: only the apt/dpkg backend exists so far; dnf, zypper and pacman hosts stop here.
    throw new Error('no supported package manager found: apt-get is not in PATH, and this agent version supports apt/dpkg hosts only');
  }

  return createAptBackend({
    aptConfig,
    dpkgAdmindir: nonEmpty(env.PM_AGENT_DPKG_ADMINDIR),
    rebootRequiredPath: nonEmpty(env.PM_AGENT_REBOOT_REQUIRED),
  });
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
