import type { InstalledPackage, PackageChange } from './types';

/**
 * Compares two inventories and returns every package version that changed, appeared or
 * disappeared, sorted by name and architecture. Unlike a diff keyed by name and
 * architecture alone, it keeps installonly packages apart: a new kernel installed beside
 * the old one is an installation, and each removed old kernel a removal. `compare`
 * orders versions, so a replaced version pairs with its successor.
 */
export function diffInventories(
  before: InstalledPackage[],
  after: InstalledPackage[],
  compare: (a: string, b: string) => number,
): PackageChange[] {
  const group = (items: InstalledPackage[]): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    for (const item of items) {
      const key = `${item.name}\t${item.arch}`;
      map.set(key, [...(map.get(key) ?? []), item.version]);
    }
    return map;
  };

  const beforeByKey = group(before);
  const afterByKey = group(after);
  const changes: PackageChange[] = [];

  for (const key of new Set([...beforeByKey.keys(), ...afterByKey.keys()])) {
    const [name = '', arch = ''] = key.split('\t');
    const oldVersions = beforeByKey.get(key) ?? [];
    const newVersions = afterByKey.get(key) ?? [];
    const removed = oldVersions.filter((version) => !newVersions.includes(version)).sort(compare);
    const added = newVersions.filter((version) => !oldVersions.includes(version)).sort(compare);

    // With one version before and one after, the change is an upgrade or downgrade.
    if (removed.length === 1 && added.length === 1 && oldVersions.length === 1 && newVersions.length === 1) {
      changes.push({ name, arch, before: removed[0] ?? null, after: added[0] ?? null });
      continue;
    }

    for (const version of added) changes.push({ name, arch, before: null, after: version });
    for (const version of removed) changes.push({ name, arch, before: version, after: null });
  }

  return changes.sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
}
