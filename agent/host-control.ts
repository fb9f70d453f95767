import { readFileSync } from 'node:fs';

import type { AgentEnvironment } from './paths';

/** File in which Linux publishes the id of the current boot. A reboot changes the id. */
export const DEFAULT_BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
export const DEFAULT_REBOOT_COMMAND: readonly string[] = ['systemctl', 'reboot'];

const BOOT_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Reads the kernel's boot id from `PM_AGENT_BOOT_ID_FILE`, else from
 * /proc/sys/kernel/random/boot_id. Returns null when the file is missing or does not
 * hold an id, so the agent connects anyway and reboots are then not followed.
 */
export function readBootId(env: AgentEnvironment): string | null {
  const file = env.PM_AGENT_BOOT_ID_FILE?.trim() || DEFAULT_BOOT_ID_FILE;
  try {
    const id = readFileSync(file, 'utf8').trim();
    return BOOT_ID.test(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * Returns the reboot command as argv: `PM_AGENT_REBOOT_COMMAND` split at whitespace
 * (no shell, no quoting), else `systemctl reboot`.
 */
export function rebootCommand(env: AgentEnvironment): string[] {
  const words = env.PM_AGENT_REBOOT_COMMAND?.trim().split(/\s+/).filter((word) => word !== '') ?? [];
  return words.length > 0 ? words : [...DEFAULT_REBOOT_COMMAND];
}

/**
 * Returns true when this host runs the pre and post commands of jobs, which needs
 * `PM_AGENT_ALLOW_COMMANDS=1` or `allowCommands: true` in agent.json. Commands run as
 * the agent's user, so the host's administrator opts in on the host itself.
 */
export function commandsAllowed(env: AgentEnvironment, settings: { allowCommands?: boolean }): boolean {
  return env.PM_AGENT_ALLOW_COMMANDS?.trim() === '1' || settings.allowCommands === true;
}
