import type { InstalledPackage, PackageChange } from '../types';
import type { AptSimulation } from './parse-simulation';

/**
 * Compares two dpkg-query snapshots and returns every package whose version changed,
 * appeared or disappeared, sorted by name and architecture.
 */
export function diffInstalledPackages(before: InstalledPackage[], after: InstalledPackage[]): PackageChange[] {
  const beforeByKey = new Map(before.map((item) => [packageKey(item), item]));
  const afterByKey = new Map(after.map((item) => [packageKey(item), item]));
  const changes: PackageChange[] = [];

  for (const key of new Set([...beforeByKey.keys(), ...afterByKey.keys()])) {
    const old = beforeByKey.get(key);
    const current = afterByKey.get(key);
    const reference = current ?? old;
    if (reference === undefined || old?.version === current?.version) {
      continue;
    }

    changes.push({
      name: reference.name,
      arch: reference.arch,
      before: old?.version ?? null,
      after: current?.version ?? null,
    });
  }

  return sortChanges(changes);
}

/**
 * Turns a simulation into the changes the real run would make. apt prints no
 * architecture on `Remv` lines unless it qualifies the name, so a removal takes its
 * architecture from the installed snapshot.
 */
export function changesFromSimulation(simulation: AptSimulation, installed: InstalledPackage[]): PackageChange[] {
  const changes: PackageChange[] = simulation.updates.map((update) => ({
    name: update.name,
    arch: update.arch,
    before: update.installed,
    after: update.candidate,
  }));

  for (const removal of simulation.removals) {
    const [name = removal.name, qualifier] = removal.name.split(':');
    const match = installed.find((item) => item.name === name && (qualifier === undefined || item.arch === qualifier));
    changes.push({
      name,
      arch: qualifier ?? match?.arch ?? '',
      before: removal.installed !== '' ? removal.installed : (match?.version ?? null),
      after: null,
    });
  }

  return sortChanges(changes);
}

function packageKey(item: InstalledPackage): string {
  return `${item.name}:${item.arch}`;
}

function sortChanges(changes: PackageChange[]): PackageChange[] {
  return changes.sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
}
