import { compareRpmVersions } from '../rpm-version';
import { listRpmInstalled } from '../rpm/list-installed';
import { PackageQueryError, runPackageQuery } from '../run-query';
import type { InstalledPackage, PendingUpdate } from '../types';
import { dnfGlobalArguments, type DnfContext } from './context';
import { interpretDnfCheckUpdate } from './interpret-check-update';
import { parseDnfUpdateinfoList, type DnfAdvisory } from './parse-updateinfo';

/**
 * Lists the pending updates from `check-update` (exit status 100 = updates, 0 = none,
 * anything else an error), then marks each with the advisories of `updateinfo list`
 * for the same name and architecture: an update is a security fix when one of them
 * has type security. The installed version comes from the rpm database (the newest
 * installed version of that name and architecture), because check-update prints none.
 * A repository without updateinfo metadata gives no advisories, so security stays false.
 */
export async function listDnfPendingUpdates(context: DnfContext, signal?: AbortSignal): Promise<PendingUpdate[]> {
  const result = await runPackageQuery({
    command: context.tool,
    args: [...dnfGlobalArguments(context), 'check-update'],
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
    okExitCodes: [0, 1, 100],
  });
  const reading = interpretDnfCheckUpdate({ ...result, timedOut: false });
  if (reading.updates === null) {
    throw new PackageQueryError(`${context.tool} check-update failed: ${reading.failure?.message ?? 'unknown error'}`, result);
  }
  if (reading.updates.length === 0) return [];

  const advisories = await listAdvisories(context, signal);
  const installed = await listRpmInstalled({ root: context.installRoot, env: context.env, timeoutMs: context.commandTimeoutMs, signal });
  return reading.updates.map((update) => withAdvisories({ ...update, installed: newestInstalled(installed, update) }, advisories));
}

/** Runs `updateinfo list` (advisories for the available updates). */
export async function listAdvisories(context: DnfContext, signal?: AbortSignal): Promise<DnfAdvisory[]> {
  const result = await runPackageQuery({
    command: context.tool,
    args: [...dnfGlobalArguments(context), 'updateinfo', 'list'],
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
  });
  return parseDnfUpdateinfoList(result.stdout);
}

function newestInstalled(installed: InstalledPackage[], update: PendingUpdate): string | null {
  const versions = installed.filter((item) => item.name === update.name && item.arch === update.arch).map((item) => item.version);
  if (versions.length === 0) return null;
  return versions.reduce((a, b) => (compareRpmVersions(a, b) >= 0 ? a : b));
}

/**
 * Adds the advisories that fix a version above the installed one and not above the
 * candidate: installing the candidate applies all of them.
 */
export function withAdvisories(update: PendingUpdate, advisories: DnfAdvisory[]): PendingUpdate {
  const matching = advisories.filter(
    (advisory) =>
      advisory.name === update.name &&
      advisory.arch === update.arch &&
      compareRpmVersions(advisory.version, update.candidate) <= 0 &&
      (update.installed === null || compareRpmVersions(advisory.version, update.installed) > 0),
  );

  return {
    ...update,
    security: update.security || matching.some((advisory) => advisory.type === 'security'),
    advisories: [...new Set([...update.advisories, ...matching.map((advisory) => advisory.id)])],
  };
}
