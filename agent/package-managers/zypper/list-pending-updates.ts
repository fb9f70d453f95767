import { runCommand } from '../../exec';
import type { PendingUpdate } from '../types';
import { zypperGlobalArguments, type ZypperContext } from './context';
import { interpretZypperRun } from './exit-status';
import { parseZypperInstallSummary, parseZypperListPatches, parseZypperListUpdates } from './parse-xml';

/** zypper's informational statuses that list-updates and list-patches may return. */
const QUERY_EXIT_CODES = [0, 100, 101, 106];

/**
 * Lists the package updates from `list-updates`, then marks as security fixes the
 * packages that the needed security patches (`list-patches --category security`)
 * would upgrade, read from a `patch --dry-run` of those patches.
 *
 * NOTE: a dry run names the packages of all needed security patches together, so
 * every such package gets every needed security patch as its advisory list.
 */
export async function listZypperPendingUpdates(context: ZypperContext, signal?: AbortSignal): Promise<PendingUpdate[]> {
  const updates = parseZypperListUpdates(await runXmlQuery(context, ['list-updates'], signal));
  const patches = parseZypperListPatches(await runXmlQuery(context, ['list-patches', '--category', 'security'], signal)).filter(
    (patch) => patch.status === 'needed',
  );
  if (patches.length === 0) return updates;

  const summary = parseZypperInstallSummary(await runXmlQuery(context, ['patch', '--dry-run', '--category', 'security'], signal));
  const securityPackages = new Set(summary.upgrades.filter((item) => item.kind === 'package').map((item) => `${item.name}.${item.arch}`));
  const advisories = patches.map((patch) => patch.name);

  return updates.map((update) =>
    securityPackages.has(`${update.name}.${update.arch}`) ? { ...update, security: true, advisories } : update,
  );
}

async function runXmlQuery(context: ZypperContext, args: string[], signal?: AbortSignal): Promise<string> {
  const result = await runCommand({
    command: 'zypper',
    args: [...zypperGlobalArguments(context), '--xmlout', ...args],
    env: context.env,
    timeoutMs: context.commandTimeoutMs,
    signal,
  });
  if (result.aborted) throw new Error(`zypper ${args.join(' ')} was cancelled`);

  const reading = interpretZypperRun(result);
  if (!reading.success || !QUERY_EXIT_CODES.includes(result.exitCode ?? -1)) {
    throw new Error(`zypper ${args.join(' ')} failed: ${reading.failure?.message ?? `exit status ${result.exitCode}`}`);
  }
  return result.stdout;
}
