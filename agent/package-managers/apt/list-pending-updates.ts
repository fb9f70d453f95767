import type { PendingUpdate } from '../types';
import { runAptQuery, type AptContext } from './context';
import { parseAptListUpgradable } from './parse-list-upgradable';
import { parseAptMarkShowhold } from './parse-showhold';
import { parseAptSimulation } from './parse-simulation';

/**
 * Lists every upgradable package once, from three read-only commands:
 *
 * - `apt-get -s dist-upgrade` gives the origins (the security label), new packages the
 *   upgrade would install, and the packages phased rollout defers;
 * - `apt list --upgradable` also shows held and kept-back packages, which the
 *   simulation leaves out, and prints the suites in the `jammy-updates,jammy-security`
 *   form that `repository` uses;
 * - `apt-mark showhold` names the held packages.
 *
 * An update is a security fix when either listing marks it as one. The simulation runs
 * with `Debug::NoLocking=1`, so a package-manager run on the host does not block it.
 */
export async function listAptPendingUpdates(context: AptContext, signal?: AbortSignal): Promise<PendingUpdate[]> {
  const heldText = await runAptQuery(context, 'apt-mark', ['showhold'], { signal });
  const held = new Set(parseAptMarkShowhold(heldText));

  const simulationText = await runAptQuery(context, 'apt-get', ['-s', '-o', 'Debug::NoLocking=1', 'dist-upgrade'], {
    signal,
  });
  const simulation = parseAptSimulation(simulationText, held);

  const listText = await runAptQuery(context, 'apt', ['list', '--upgradable'], { signal });
  const listed = parseAptListUpgradable(listText, held);

  return mergePendingUpdates({ simulated: simulation.updates, listed, deferredByPhasing: simulation.deferredByPhasing });
}

/**
 * Merges the simulation's updates with the `apt list` rows, keyed by name and
 * architecture. A row whose architecture the other listing spells differently (for
 * example a foreign-architecture qualifier) still matches by name when that name is
 * unique in the simulation.
 */
export function mergePendingUpdates(input: {
  simulated: PendingUpdate[];
  listed: PendingUpdate[];
  deferredByPhasing: string[];
}): PendingUpdate[] {
  const deferred = new Set(input.deferredByPhasing);
  const isDeferred = (update: PendingUpdate): boolean =>
    deferred.has(update.name) || deferred.has(`${update.name}:${update.arch}`);

  const merged = new Map<string, PendingUpdate>();
  for (const update of input.simulated) {
    merged.set(updateKey(update), { ...update, phased: update.phased || isDeferred(update) });
  }

  for (const row of input.listed) {
    const key = findSimulatedKey(input.simulated, merged, row);
    const existing = key === undefined ? undefined : merged.get(key);

    if (key === undefined || existing === undefined) {
      merged.set(updateKey(row), { ...row, phased: row.phased || isDeferred(row) });
      continue;
    }

    merged.set(key, {
      ...existing,
      installed: existing.installed ?? row.installed,
      repository: row.repository !== '' ? row.repository : existing.repository,
      security: existing.security || row.security,
      held: existing.held || row.held,
      phased: existing.phased || row.phased || isDeferred(row),
      advisories: [...new Set([...existing.advisories, ...row.advisories])],
    });
  }

  return [...merged.values()];
}

function updateKey(update: PendingUpdate): string {
  return `${update.name}:${update.arch}`;
}

function findSimulatedKey(
  simulated: PendingUpdate[],
  merged: Map<string, PendingUpdate>,
  row: PendingUpdate,
): string | undefined {
  const exact = updateKey(row);
  if (merged.has(exact)) {
    return exact;
  }

  const sameName = simulated.filter((update) => update.name === row.name);
  const only = sameName.length === 1 ? sameName[0] : undefined;
  return only === undefined ? undefined : updateKey(only);
}
